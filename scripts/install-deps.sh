#!/usr/bin/env bash
# Installs what spmd needs on Debian 12 (bookworm).
#   scripts/install-deps.sh            everything to build and test: both compilers, Catch2, MPI,
#                                      Google Benchmark, libtorch and Gloo (the torch backend),
#                                      clang-format 14 (the tests check the formatting)
#   scripts/install-deps.sh example    only what the examples need: g++, CMake and the library's
#                                      own dependencies (Boost headers, {fmt}, Eigen)
#   scripts/install-deps.sh bench      what scripts/bench.sh needs: the library's dependencies,
#                                      Google Benchmark, valgrind (callgrind), GNU time, gnuplot
# Idempotent: if all packages are already installed it does nothing
# (set SPMD_FORCE_APT=1 to run apt-get anyway).
set -euo pipefail

PACKAGES=(cmake make g++ libboost-dev libfmt-dev libeigen3-dev)
case "${1:-all}" in
  all) PACKAGES+=(clang clang-format-14 catch2 libopenmpi-dev openmpi-bin libbenchmark-dev libtorch-dev libgloo-dev) ;;
  example) ;;
  bench) PACKAGES+=(libbenchmark-dev valgrind time gnuplot-nox) ;;
  *) echo "usage: $0 [all|example|bench]" >&2; exit 2 ;;
esac

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
