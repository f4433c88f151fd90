#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   scripts/dev.sh run    install packages, build, start PAE Studio on the built-in models
#   scripts/dev.sh test   install packages, build, run the default test suite
#   scripts/dev.sh build  install packages and build only
# BUILD_DIR (default: build) and JOBS (default: nproc) can be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-build}
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}

scripts/install-deps.sh

# Rebuilds in another clone of the tree reuse earlier compilations (CI clones afresh).
export CCACHE_BASEDIR="$PWD"
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPAE_BUILD_GUI=ON -DPAE_BUILD_TESTS=ON -DPAE_WITH_DLIB=ON
cmake --build "$BUILD_DIR" -j "$JOBS"

case "$mode" in
run)
  exec "$BUILD_DIR/app/pae-studio" "${@:2}" ;;
test)
  # The default suite excludes the opt-in "slow", "bench" and "slurm" labels.
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" -LE 'slow|bench|slurm' "${@:2}" ;;
build) ;;
*) echo "usage: $0 run|test|build" >&2; exit 2 ;;
esac
