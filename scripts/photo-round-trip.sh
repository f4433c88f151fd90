#!/usr/bin/env bash
# Makes docs/photo-round-trip.png: the astronaut photo (tests/fixtures/photos) through the
# whole round trip on the built-in models — her face found and aligned, encoded into the
# cartoon world, edited, and pasted back into the photo at its own size — as one sweep:
# the photo, λ 0 (the unedited reconstruction pasted back) and λ 8 ("a happy face").
# Needs a build (build/app/pae-cli).
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${PAE_CLI:-build/app/pae-cli}
"$cli" sweep --photo tests/fixtures/photos/astronaut.jpg --prompt "a happy face" --corpus emotion \
  --lambdas 0,8 --out docs/photo-round-trip.png
echo "wrote docs/photo-round-trip.png"
