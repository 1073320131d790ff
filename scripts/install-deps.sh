#!/usr/bin/env bash
# Installs the Debian 12 packages minitensor needs that are missing; quiet when all are there.
# Idempotent. Needs root (or sudo) only when something must be installed.
#   scripts/install-deps.sh           what the build and the tests need
#   scripts/install-deps.sh --bench   that, plus what the benchmarks compare against
set -euo pipefail

packages=(
  build-essential  # g++ 12, make
  cmake            # 3.25: workflow presets
  ninja-build
  libgtest-dev     # GoogleTest
  libtbb-dev       # parallel CPU backend
  libdlpack-dev    # dlpack.h, for the C API's DLPack exchange
  clang-format
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(
    python3-numpy python3-torch  # the libraries compared with (Debian's /usr/bin/python3)
    libopenblas0-pthread         # else numpy and torch use the reference BLAS
  )
fi

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
