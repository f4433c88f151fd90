#!/usr/bin/env bash
# Retakes the README's screenshots from the running application (offscreen), on the built-in
# SynthFace models: docs/screenshot-*.png. Not part of the test suite, because it writes into
# the source tree; run it when what a user sees changes, and commit the pictures.
#   scripts/screenshots.sh [OUT_DIR]   default: docs/
# BUILD_DIR (default: build) as in scripts/dev.sh; the build folder must be configured.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
out=${1:-docs}
mkdir -p "$out"
cmake --build "$BUILD_DIR" -j "${JOBS:-$(nproc)}" --target make_screenshots
# Settings and caches of the run stay out of the user's (the program isolates them too).
PAE_SCREENSHOT_DIR="$(cd "$out" && pwd)" QT_QPA_PLATFORM=offscreen OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive \
  XDG_CACHE_HOME="$PWD/$BUILD_DIR/tests/xdg-cache" "$BUILD_DIR/tests/make_screenshots"
ls -l "$out"/screenshot-*.png
