#!/usr/bin/env bash
# measure.sh [--quick] [--reps K] [--rows "shape axes opt N; ..."]: compile time and peak memory
# of the typed layer.
#
# For each (shape, axes, -O level, N) it compiles the typed and the untyped program of
# generate.sh with $CXX (g++ by default) -std=c++20 -c, interleaved (typed, untyped, typed, ...,
# K repetitions each, the fastest kept), measuring wall/user seconds and peak RSS with
# /usr/bin/time (Debian package `time`). It first checks that each program compiles (typed and
# untyped) and that the fresh typed programs give every function its own result layout.
# Prints a markdown table, then one machine-readable line per row:
#   compile <shape> <axes> <opt> <N> <typed_s> <untyped_s> <typed_MiB> <untyped_MiB>
# (seconds are user CPU time, the least disturbed by other jobs on the machine). SPMD_INCLUDE
# names another include directory to measure (e.g. an older version's, for a before/after).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CXX=${CXX:-g++}
quick=0 reps=1 custom=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) quick=1 ;;
    --reps) reps=$2; shift ;;
    --rows) custom=$2; shift ;;
    *) echo "usage: $0 [--quick] [--reps K] [--rows \"shape axes opt N; ...\"]" >&2; exit 2 ;;
  esac
  shift
done
if [[ ! -x /usr/bin/time ]]; then
  echo "measure.sh: /usr/bin/time is missing (Debian: apt-get install time)" >&2
  exit 1
fi

flags=(-std=c++20 -c -I"${SPMD_INCLUDE:-$root/include}" -I/usr/include/eigen3 -Wall -Wextra -Wpedantic -Werror)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# rows: "shape axes opt N"
rows=()
if [[ -n $custom ]]; then
  IFS=';' read -r -a rows <<<"$custom"
elif ((quick)); then
  # the rows that carry a target (repeated N=1000, fresh N=300 on 4 axes) and a few to plot
  rows=("repeated 4 -O0 10" "repeated 4 -O0 100" "repeated 4 -O0 1000" "fresh 4 -O0 10" "fresh 4 -O0 100" "fresh 4 -O0 300")
else
  for opt in -O0 -O2; do
    for axes in 1 2 4 6; do
      for n in 10 100 1000 3000; do rows+=("repeated $axes $opt $n"); done
      for n in 10 100 300 1000; do
        max=$((5 * 5 ** axes))
        ((n <= max)) && rows+=("fresh $axes $opt $n")
      done
    done
  done
fi

# compile <file> <opt>: prints "user_s MiB"; fails if the program does not compile.
compile() {
  local f=$1 opt=$2
  if ! /usr/bin/time -f "%e %U %M" -o "$work/time" "$CXX" "${flags[@]}" "$opt" "$f" -o "$work/out.o" 2>"$work/err"; then
    echo "measure.sh: $f does not compile:" >&2
    head -30 "$work/err" >&2
    exit 1
  fi
  local e u m
  read -r e u m <"$work/time"
  echo "$u $((m / 1024))"
}

# Checks, on small programs: each compiles, and the fresh typed functions have distinct results.
for shape in repeated fresh; do
  for axes in 1 2 4 6; do
    for kind in typed untyped; do
      SPMD_CHECK_FRESH=1 "$here/generate.sh" $kind $shape 25 $axes >"$work/check.cpp" 2>/dev/null
      "$CXX" "${flags[@]}" -O0 -fsyntax-only "$work/check.cpp" 2>"$work/err" ||
        { echo "measure.sh: generate.sh $kind $shape 25 $axes does not compile:" >&2; head -30 "$work/err" >&2; exit 1; }
    done
  done
done
SPMD_CHECK_FRESH=1 "$here/generate.sh" typed fresh 1000 6 | grep '^using Y' | sed 's/^using Y[0-9]* = //' | sort | uniq -d >"$work/dups"
if [[ -s $work/dups ]]; then
  echo "measure.sh: the fresh program repeats a layout:" >&2
  cat "$work/dups" >&2
  exit 1
fi

echo "| shape | axes | opt | N | typed s | untyped s | ratio | typed MiB | untyped MiB | ratio |"
echo "|---|---|---|---|---|---|---|---|---|---|"
lines=()
for row in "${rows[@]}"; do
  read -r shape axes opt n <<<"$row"
  "$here/generate.sh" typed $shape $n $axes >"$work/typed.cpp" 2>/dev/null
  "$here/generate.sh" untyped $shape $n $axes >"$work/untyped.cpp" 2>/dev/null
  best_t="" best_u="" mem_t=0 mem_u=0
  for ((r = 0; r < reps; ++r)); do
    read -r s m < <(compile "$work/typed.cpp" $opt)
    [[ -z $best_t ]] || awk -v a="$s" -v b="$best_t" "BEGIN{exit !(a < b)}" && best_t=$s
    ((m > mem_t)) && mem_t=$m
    read -r s m < <(compile "$work/untyped.cpp" $opt)
    [[ -z $best_u ]] || awk -v a="$s" -v b="$best_u" "BEGIN{exit !(a < b)}" && best_u=$s
    ((m > mem_u)) && mem_u=$m
  done
  rt=$(awk -v a="$best_t" -v b="$best_u" "BEGIN{printf \"%.2f\", a / b}")
  rm_=$(awk -v a="$mem_t" -v b="$mem_u" "BEGIN{printf \"%.2f\", a / b}")
  echo "| $shape | $axes | $opt | $n | $best_t | $best_u | $rt | $mem_t | $mem_u | $rm_ |"
  lines+=("compile $shape $axes $opt $n $best_t $best_u $mem_t $mem_u")
done
echo
printf '%s\n' "${lines[@]}"
