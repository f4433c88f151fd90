#!/usr/bin/env bash
# Opt-in: the Slurm test of `pae-cli batch` (tests/slurm/tst_batch_slurm.cpp). Installs
# Debian's Slurm and munge packages when missing, builds pae-cli and the test, and runs
# it: the test starts its own one-node cluster in a temporary folder, submits
# packaging/slurm/submit.sh for a 12-item manifest as a 3-task array, cancels one task
# mid-item, resubmits it, checks that every item was done exactly once, and stops the
# daemons it started. Runs as root (slurmd runs jobs as their user). BUILD_DIR: build.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
packages=(slurmctld slurmd slurm-client munge)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
export CCACHE_BASEDIR="$PWD"
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
[ -f "$BUILD_DIR/CMakeCache.txt" ] || cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPAE_BUILD_TESTS=ON
cmake --build "$BUILD_DIR" --target pae-cli tst_batch_slurm
ctest --test-dir "$BUILD_DIR" -L slurm --output-on-failure -V "$@"
