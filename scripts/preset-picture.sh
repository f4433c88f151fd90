#!/usr/bin/env bash
# Makes docs/preset-row.png: one preset ("a happy face", learnt on seed 3) applied to four
# other faces of the built-in world at strengths 0, 0.5, 1 and 1.5 — one generator forward
# each (pae-cli apply). Needs a build (build/app/pae-cli) and ImageMagick's montage.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${PAE_CLI:-build/app/pae-cli}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$cli" edit --seed 3 --prompt "a happy face" --corpus emotion --out "$tmp/learnt.png" \
  --preset-out "$tmp/happy.preset" >/dev/null
tiles=()
for seed in 101 102 105 108; do
  for strength in 0 0.5 1 1.5; do
    "$cli" apply --preset "$tmp/happy.preset" --strength "$strength" --seed "$seed" \
      --out "$tmp/s$seed-$strength.png" >/dev/null
    tiles+=(-label "seed $seed ×$strength" "$tmp/s$seed-$strength.png")
  done
done
montage "${tiles[@]}" -filter point -resize 128x128 -tile 4x -geometry +4+4 -pointsize 12 docs/preset-row.png
echo "wrote docs/preset-row.png"
