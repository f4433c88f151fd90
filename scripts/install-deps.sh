#!/usr/bin/env bash
# Installs what PAE Studio needs to build and test from Debian 12 (bookworm) packages.
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev libopenblas0-pthread   # without OpenBLAS, LibTorch's matmuls run ~30x slower
  qt6-base-dev qt6-image-formats-plugins libgl-dev
  libopencv-dev libspdlog-dev nlohmann-json3-dev libcli11-dev libzip-dev libpcre2-dev libjpeg-dev zlib1g-dev
  libdlib-dev libdlib-data            # photo alignment: face detector and 68-point landmark model
  xvfb xauth
  clang-format-14                     # scripts/check-format.sh (CI checks the layout of changed files)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
echo "installing: ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
