#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each on its seed corpus.
#   scripts/fuzz.sh [SECONDS] [TARGET...]   default: 30 s each, every target
# CI runs it with the default so the targets cannot rot; longer runs use the same script.
# A finding (crash, sanitizer report, leak, timeout, out-of-memory) fails the script and
# leaves the input in build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_safetensors fuzz_torch_checkpoint fuzz_image fuzz_tokenizer fuzz_corpus fuzz_session fuzz_manifest)
fi
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}

if ! dpkg-query -W -f='${Status}\n' clang-14 libclang-rt-14-dev 2>/dev/null | grep -c "install ok installed" | grep -q 2; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends clang-14 libclang-rt-14-dev
fi

export CCACHE_BASEDIR="$PWD"
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DPAE_FUZZ=ON -DPAE_BUILD_GUI=OFF -DPAE_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j "${JOBS:-$(nproc)}" --target "${targets[@]}"
python3 tests/fuzz/make_seeds.py "$BUILD/seeds"

declare -A seeds=([fuzz_safetensors]=safetensors [fuzz_torch_checkpoint]=torch_checkpoint [fuzz_image]=image
                  [fuzz_tokenizer]=tokenizer [fuzz_corpus]=corpus [fuzz_session]=session [fuzz_manifest]=manifest)
declare -A extra=([fuzz_safetensors]="-dict=tests/fuzz/safetensors.dict")
mkdir -p "$BUILD/findings"
for t in "${targets[@]}"; do
  corpus="$BUILD/corpus/${seeds[$t]}"
  mkdir -p "$corpus"
  echo "== $t: ${seconds} s"
  log="$BUILD/findings/$t.log"
  rc=0
  # -rss_limit_mb: an input may not cost more than 2 GB; -timeout (wall clock, so generous on a
  # busy machine): nor 30 s.
  "$BUILD/tests/fuzz/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
    -artifact_prefix="$BUILD/findings/$t-" ${extra[$t]:-} "$corpus" "$BUILD/seeds/${seeds[$t]}" >"$log" 2>&1 || rc=$?
  grep -E "^(#[0-9]+[[:space:]]+(INITED|DONE)|stat::number_of_executed_units|stat::peak_rss_mb)" "$log" || true
  if [ "$rc" -ne 0 ]; then
    tail -40 "$log"
    echo "$t: a finding (exit $rc); the input is in $BUILD/findings/"
    exit 1
  fi
done
