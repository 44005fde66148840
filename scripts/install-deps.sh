#!/usr/bin/env bash
# Installs everything needed to build and test spmd on Debian 12 (bookworm).
# Idempotent: if all packages are already installed it does nothing
# (set SPMD_FORCE_APT=1 to run apt-get anyway).
set -euo pipefail

PACKAGES=(
  cmake make g++ clang
  libboost-dev libfmt-dev catch2 libeigen3-dev
  libopenmpi-dev openmpi-bin libbenchmark-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 && "${SPMD_FORCE_APT:-0}" != "1" ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-deps: not root and sudo not found; please install: ${missing[*]:-${PACKAGES[*]}}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]:-${PACKAGES[*]}}"
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
echo "install-deps: done"
