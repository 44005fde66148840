#!/usr/bin/env bash
# Writes docs/performance.md and its plots (docs/performance/*.svg, gnuplot) from the results of
# scripts/bench.sh. Usage: scripts/bench-report.sh <results dir> <plots dir> <quick: 0|1>
# The results dir holds table.md and, when those sections ran, compile.txt ("compile ..." lines of
# benchmarks/compile_time/measure.sh) and collectives.txt ("ratio <op> <ranks> <bytes> <ratio>").
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
RES=$1
PLOTS=$2
QUICK=$3
mkdir -p "$PLOTS"
PAGE="$ROOT/docs/performance.md"
rel_plots=${PLOTS#"$ROOT/docs/"}

plots=()
# plot <svg file> <gnuplot settings> <curve>...: one SVG plot of the curves.
plot() {
  local out=$1 settings=$2
  shift 2
  {
    printf 'set terminal svg size 760,430 dynamic font "sans,12" background "white"\nset output "%s"\n' "$out"
    echo "$settings"
    (IFS=,; echo "plot $*")
  } | gnuplot
}

# Compile time and peak memory against N, typed and untyped, one line pair per (shape, axes) at -O0.
if [[ -s "$RES/compile.txt" ]]; then
  grep '^compile ' "$RES/compile.txt" | awk '$4 == "-O0"' >"$RES/compile.dat" || true
  if [[ -s "$RES/compile.dat" ]]; then
    for what in time memory; do
      col_t=6; col_u=7; ylabel="compile time (s)"
      [[ $what == memory ]] && { col_t=8; col_u=9; ylabel="peak memory (MiB)"; }
      curves=()
      while read -r shape axes; do
        curves+=("\"< awk '\$2==\\\"$shape\\\" && \$3==$axes' $RES/compile.dat\" using 5:$col_t with linespoints title \"typed, $shape, $axes axes\"")
        curves+=("\"< awk '\$2==\\\"$shape\\\" && \$3==$axes' $RES/compile.dat\" using 5:$col_u with linespoints dashtype 2 title \"untyped, $shape, $axes axes\"")
      done < <(awk '{ print $2, $3 }' "$RES/compile.dat" | sort -u)
      plot "$PLOTS/compile_$what.svg" "set logscale xy; set grid; set key top left; set xlabel 'N (ops or functions)'
set ylabel '$ylabel'; set title 'g++ -O0 -c: $what against N'" "${curves[@]}"
      plots+=("compile_$what.svg|Compile $what against N (g++ -O0), typed and untyped (dashed)")
    done
  fi
fi

# Bus bandwidth / memcpy bandwidth against the message size, per collective and rank count.
if [[ -s "$RES/collectives.txt" ]]; then
  grep '^ratio ' "$RES/collectives.txt" >"$RES/collectives.dat" || true
  if [[ -s "$RES/collectives.dat" ]]; then
    curves=()
    while read -r op ranks; do
      curves+=("\"< awk '\$2==\\\"$op\\\" && \$3==$ranks' $RES/collectives.dat\" using (\$4/1048576):5 with linespoints title \"$op, $ranks ranks\"")
    done < <(awk '{ print $2, $3 }' "$RES/collectives.dat" | sort -u)
    plot "$PLOTS/collectives.svg" "set logscale x 2; set grid; set key bottom right; set xlabel 'message size (MiB)'
set ylabel 'bus bandwidth / memcpy bandwidth'; set title 'threads runtime: bus bandwidth relative to a single-thread memcpy'" \
      "${curves[@]}"
    plots+=("collectives.svg|Threads runtime: bus bandwidth / single-thread memcpy bandwidth against message size")
  fi
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
{
  cat <<EOF
# Performance

What spmd's types cost, measured against what one would write without them, by one command:

\`\`\`sh
scripts/bench.sh            # the whole grid (about an hour on 2 cores, most of it compile times)
scripts/bench.sh --quick    # a subset of every section (a few minutes)
\`\`\`

It installs what it needs (\`scripts/install-deps.sh bench\`: Google Benchmark, valgrind, GNU time,
gnuplot), builds the benchmarks in Release (\`build/bench\`), prints the table below and writes this
page. **Every number is a ratio of two things measured in the same run** (interleaved repetitions,
medians): absolute times on a shared machine are noise, ratios much less so. Instruction counts
(callgrind) are exact and are used wherever the question is "how much work do the types add".

This page was generated on $(date -u +%Y-%m-%d) from commit \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`, on
$(nproc) cores ($cpu)$([[ $QUICK == 1 ]] && echo ", with \`--quick\`").

## The table

EOF
  cat "$RES/table.md"
  cat <<'EOF'

## What is measured

- **runtime**: one rank of a Megatron block, written three ways over the same kernels and the same
  threads runtime (`benchmarks/callgrind/megatron_block.cpp`): with spmd's typed tensors and
  collectives (or the `nn::` modules through the autograd tape), and on the bare local tensors with
  the communicator's untyped collectives and a backward written by hand. The instructions of the
  iterations alone are counted (two iteration counts, subtracted). Each variant prints a checksum
  of its result; they agree. The time ratios come from `benchmarks/typed_overhead.cpp`.
- **checked**: `benchmarks/checked_layer.hpp` is the alternative to types, a sharding layer whose
  layouts are run-time values (as DTensor's placements are): every tensor carries its placement
  per mesh axis and every op checks them before its kernel. It is written to be cheap (no
  allocation, one switch per axis). Its per-op cost is small too; what it cannot do is reject a
  mis-sharded program before it runs, or derive the type of a gradient.
- **autograd**: `benchmarks/autograd_overhead.cpp`, the tape's forward + backward of an MLP against
  the same computation with a backward written by hand, on the same kernels.
- **collectives**: `benchmarks/collectives_bandwidth.cpp`, the threads runtime's bus bandwidth
  (NCCL's convention) divided by a single-thread `memcpy`'s bandwidth of the same size, measured
  in the same run.
- **compile**: `benchmarks/compile_time/measure.sh` generates programs of N ops on meshes of 1 to 6
  axes, typed and untyped, and compiles them with g++ (time and peak memory from GNU time). Two
  shapes: *repeated* (a chain of ops whose types repeat, as in real layers) and *fresh* (N small
  functions, each on layouts no earlier one used, so the compiler memoises nothing: the worst case).

## Reading the table

- **The types add no instructions.** A typed op runs its local kernel and builds the result's
  tensor in place around the kernel's result; the layouts exist only in the compiler. The
  forward ratios are 1.000 to within a few hundred instructions in millions. A typed program
  can only do *more* work where it asks for it: a collective of a const lvalue copies it (e.g.
  `convert<"tp", I, R>(r, x)` of a named activation that is used again); pass `std::move(x)` when
  it is not. A ratio slightly below 1 means the typed program reused a temporary's buffer where
  the hand-written one allocated.
- **The tape** costs one node (a `shared_ptr`) per variable and one step in the tape's own buffer
  per op (no `std::function`, no allocation once the buffer has grown). At n = 8 the node
  allocations and the gradient seed are still a few percent of a tiny computation; from n = 64 on
  they are within 1 to 2 percent. The transformer block's forward + backward row measures the
  types and the tape together against a backward written by hand.
- **A run-time-checked layer** is about as cheap per op as the types (a switch per mesh axis is a
  few instructions next to a kernel). What it costs is elsewhere: a mistake is found only when the
  op runs, on the ranks and the code path that run it, after the job has been launched; the
  gradient of each tensor has no type to check against.
- **Collectives.** Out of place, every rank of an all_gather writes the whole output (its own
  block too) and every rank of a reduce_scatter reads every block, while bus bandwidth counts
  (n-1)/n of the buffer: on 2 ranks the ratio to one thread's `memcpy` is bounded by about half
  of what one core's copy achieves, so 0.9 needs each rank to copy almost twice as fast as
  `memcpy`. The threads runtime writes each output byte once, with non-temporal stores for large
  blocks (no read of the destination). The in-place all_gather, which copies only the other
  ranks' blocks, is the case that can approach `memcpy`.
- **Compile time.** *Repeated* types cost what the untyped program costs: the compiler memoises
  every type-level computation. *Fresh* types are the worst case: each op on layouts not seen
  before instantiates its rule once per mesh axis.

## Plots

EOF
  for p in "${plots[@]}"; do
    echo "![${p#*|}]($rel_plots/${p%%|*})"
    echo
  done
  [[ ${#plots[@]} -eq 0 ]] && echo "(no plot: the compile and collectives sections did not run)" && echo
} >"$PAGE"
echo "bench-report: wrote ${PAGE#"$ROOT"/} and ${#plots[@]} plots in ${PLOTS#"$ROOT"/}"
