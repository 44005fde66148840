#!/usr/bin/env bash
# Installs what the examples need, builds one with g++ (build/example) and runs
# it.  Usage: scripts/build-and-run-example.sh [example-name] [args...]
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

# Only what the example needs (no clang, Catch2, MPI or Google Benchmark): in its own build
# directory, without the tests, so that it also works before scripts/install-deps.sh (all).
scripts/install-deps.sh example
cmake -S "$ROOT" -B "$ROOT/build/example" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release \
  -DSPMD_BUILD_TESTS=OFF -DSPMD_BUILD_EXAMPLES=ON
cmake --build "$ROOT/build/example" -j"${SPMD_JOBS:-2}" --target "example_$name"
echo "== running examples/$name"
exec "$ROOT/build/example/examples/$name" "$@"
