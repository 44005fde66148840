#!/usr/bin/env bash
# Installs the dependencies, builds spmd with g++ (build/gcc) and runs one
# example.  Usage: scripts/build-and-run-example.sh [example-name] [args...]
# Default example: train_gpt if it exists, else the first examples/*.cpp.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

name=${1:-}
[[ $# -gt 0 ]] && shift
if [[ -z "$name" ]]; then
  if [[ -f examples/train_gpt.cpp ]]; then
    name=train_gpt
  else
    first=$(ls examples/*.cpp 2>/dev/null | sort | head -n1 || true)
    if [[ -z "$first" ]]; then echo "no examples in examples/" >&2; exit 1; fi
    name=$(basename "$first" .cpp)
  fi
fi
if [[ ! -f "examples/$name.cpp" ]]; then
  echo "unknown example '$name'; available:" >&2
  ls examples/*.cpp 2>/dev/null | xargs -rn1 basename | sed 's/\.cpp$//; s/^/  /' >&2
  exit 1
fi

scripts/install-deps.sh
cmake -S "$ROOT" -B "$ROOT/build/gcc" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release
cmake --build "$ROOT/build/gcc" -j"${SPMD_JOBS:-2}" --target "example_$name"
echo "== running examples/$name"
exec "$ROOT/build/gcc/examples/$name" "$@"
