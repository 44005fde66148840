#!/usr/bin/env bash
# Performance evidence in one command: builds the benchmarks (Release, build/bench), measures every
# cost of the library against its baseline IN ONE RUN, prints one markdown table of ratios with
# their targets, and writes docs/performance.md with the table and the plots (docs/performance/).
#
#   scripts/bench.sh            the whole grid (about an hour on 2 cores, most of it compile times)
#   scripts/bench.sh --quick    a subset of every section (a few minutes)
#
# Options: --quick, --no-docs (print only; docs/performance.md is left alone),
#          --only <section>[,<section>...] with sections: runtime, checked, autograd, collectives,
#          compile (e.g. --only compile,collectives).
#
# What is measured (every number is a ratio of two things measured in the same run, never an
# absolute time: timings on a shared machine are noisy, ratios much less so):
#   runtime      callgrind instructions, typed / untyped, of one rank of a Megatron MLP block and
#                a transformer block, forward and forward + backward (deterministic counts), and
#                the time ratios of benchmarks/typed_overhead.cpp (medians of interleaved runs);
#   checked      a run-time-checked sharding layer over the same kernels (layouts as values checked
#                on every op, as DTensor does), per-op cost next to the typed one's;
#   autograd     the tape against a hand-written backward (callgrind and time);
#   collectives  the threads runtime's bus bandwidth / single-thread memcpy bandwidth;
#   compile      compile time and peak memory of generated programs, typed / untyped
#                (benchmarks/compile_time/measure.sh).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

QUICK=0
DOCS=1
ONLY="runtime,checked,autograd,collectives,compile"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --no-docs) DOCS=0 ;;
    --only) ONLY=$2; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

BDIR="$ROOT/build/bench"
OUT="$BDIR/results"
PLOTS="$ROOT/docs/performance"
mkdir -p "$OUT"
t_start=$(date +%s)

scripts/install-deps.sh bench
cmake -S "$ROOT" -B "$BDIR" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release -DSPMD_WITH_TORCH=OFF \
  -DSPMD_BUILD_BENCHMARKS=ON -DSPMD_BUILD_TESTS=OFF -DSPMD_BUILD_EXAMPLES=OFF >/dev/null
targets=()
for src in benchmarks/callgrind/*.cpp; do targets+=("callgrind_$(basename "$src" .cpp)"); done
targets+=(bench_typed_overhead bench_autograd_overhead bench_collectives_bandwidth)
cmake --build "$BDIR" -j"${SPMD_JOBS:-2}" --target "${targets[@]}"
BIN="$BDIR/benchmarks"

# ---- the table -----------------------------------------------------------------------------------
ROWS=()
# row <section> <case> <measured> <target expression, e.g. "<= 1.01" or "-"> [note]
row() {
  local section=$1 what=$2 value=$3 target=$4 note=${5:-}
  local verdict="-"
  if [[ "$target" != "-" && "$value" != "-" ]]; then
    local op=${target%% *} bound=${target#* }
    if awk -v v="$value" -v b="$bound" -v op="$op" \
         'BEGIN { exit !((op == "<=" && v <= b) || (op == ">=" && v >= b)) }'; then
      verdict="met"
    else
      verdict="**missed**"
    fi
  fi
  ROWS+=("| $section | $what | $value | $target | $verdict | $note |")
  printf '  %-12s %-58s %-10s %-8s %s\n' "$section" "$what" "$value" "$target" "$verdict"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

# Instructions of `cmd args... K` per iteration: callgrind totals at K2 and K1 iterations,
# subtracted, so that start-up (process, mesh, initialisation) cancels.
instructions() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_iteration() {  # per_iteration <k1> <k2> <binary> <args...> (the iteration count is appended)
  local k1=$1 k2=$2
  shift 2
  local a b
  a=$(instructions "$@" "$k1")
  b=$(instructions "$@" "$k2")
  awk -v a="$a" -v b="$b" -v k1="$k1" -v k2="$k2" 'BEGIN { printf "%.0f", (b - a) / (k2 - k1) }'
}

# same_result <binary> <case> <variant>... -- <args>: every variant prints the same "check" value
# (relative difference <= 1e-4), or the script stops.
same_result() {
  local bin=$1 c=$2
  shift 2
  local variants=()
  while [[ $1 != -- ]]; do variants+=("$1"); shift; done
  shift
  local first="" v value
  for v in "${variants[@]}"; do
    value=$("$bin" "$c" "$v" "$@" | sed -n 's/^check //p')
    if [[ -z "$first" ]]; then first=$value; continue; fi
    if ! awk -v a="$first" -v b="$value" 'BEGIN { d = a - b; if (d < 0) d = -d; m = a < 0 ? -a : a; exit !(d <= 1e-4 * (m > 1 ? m : 1)) }'; then
      echo "bench.sh: $(basename "$bin") $c: ${variants[0]} gives $first but $v gives $value" >&2
      exit 1
    fi
  done
}

# Time ratios "ratio <name> <value>" printed by a Google Benchmark program (medians of interleaved
# repetitions).
REPS=$([[ $QUICK == 1 ]] && echo 3 || echo 9)
time_ratios() {  # time_ratios <binary> [filter]
  "$BIN/$1" --benchmark_repetitions="$REPS" --benchmark_enable_random_interleaving=true \
    --benchmark_min_time=0.05 ${2:+--benchmark_filter="$2"} >"$OUT/$1.txt" 2>&1
  sed -n 's/^ratio \([^ ]*\) \([0-9.]*\)$/\1 \2/p' "$OUT/$1.txt"
}

echo
echo "== measuring (load: $(cut -d' ' -f1-3 /proc/loadavg))"

# ---- 1. run-time cost of the types ---------------------------------------------------------------
if wants runtime || wants checked; then
  N=64
  K1=2; K2=$([[ $QUICK == 1 ]] && echo 4 || echo 12)
  declare -A IR=()
  for c in mlp_forward block_forward block_step; do
    for v in typed untyped; do
      IR[$c.$v]=$(per_iteration "$K1" "$K2" "$BIN/callgrind_megatron_block" "$c" "$v" "$N")
    done
  done
  IR[mlp_forward.checked]=$(per_iteration "$K1" "$K2" "$BIN/callgrind_megatron_block" mlp_forward checked "$N")
  # The variants compute the same thing: their checksums agree (to float rounding).
  for c in mlp_forward block_forward block_step; do
    same_result "$BIN/callgrind_megatron_block" "$c" typed untyped $([[ $c == mlp_forward ]] && echo checked) -- "$N" 1
  done
  if wants runtime; then
    row runtime "MLP block forward, instructions typed / untyped (n=$N)" \
      "$(ratio "${IR[mlp_forward.typed]}" "${IR[mlp_forward.untyped]}")" "<= 1.01"
    row runtime "transformer block forward, instructions typed / untyped (n=$N)" \
      "$(ratio "${IR[block_forward.typed]}" "${IR[block_forward.untyped]}")" "<= 1.01"
    row runtime "transformer block fwd+bwd, instructions nn:: with autograd / by hand (n=$N)" \
      "$(ratio "${IR[block_step.typed]}" "${IR[block_step.untyped]}")" "<= 1.03" "types and tape together"
  fi
  # typed_overhead.cpp times the typed, the checked and the untyped programs together.
  time_ratios bench_typed_overhead >"$OUT/typed_overhead.ratios"
  if wants runtime; then
    for n in 4 64; do
      K2=$([[ $QUICK == 1 ]] && echo 200 || echo 2000)
      a=$(per_iteration 100 "$K2" "$BIN/callgrind_cases" elementwise_typed "$n")
      b=$(per_iteration 100 "$K2" "$BIN/callgrind_cases" elementwise_untyped "$n")
      row runtime "elementwise chain relu(a*b+a-b/2), instructions typed / untyped (n=$n)" "$(ratio "$a" "$b")" "<= 1.02"
    done
    for n in 16 64; do
      a=$(per_iteration 10 20 "$BIN/callgrind_cases" mlp_typed "$n")
      b=$(per_iteration 10 20 "$BIN/callgrind_cases" mlp_untyped "$n")
      row runtime "TP MLP on typed tensors, instructions typed / untyped (n=$n)" "$(ratio "$a" "$b")" "<= 1.01"
    done
    while read -r name value; do
      row runtime "time typed / untyped: $name" "$value" "-"
    done < <(grep '_typed' "$OUT/typed_overhead.ratios")
  fi
fi

# ---- 6. a run-time-checked layer instead of types ------------------------------------------------
if wants checked; then
  ops=7  # convert, matmul, +, gelu, matmul, all_reduce, +: the ops of one forward
  extra_typed=$(( IR[mlp_forward.typed] - IR[mlp_forward.untyped] ))
  extra_checked=$(( IR[mlp_forward.checked] - IR[mlp_forward.untyped] ))
  row checked "MLP block forward, instructions checked / untyped (n=$N)" \
    "$(ratio "${IR[mlp_forward.checked]}" "${IR[mlp_forward.untyped]}")" "-"
  row checked "MLP block forward, extra instructions per op: typed | checked" \
    "$(( extra_typed / ops )) \| $(( extra_checked / ops ))" "-"
  while read -r name value; do
    row checked "time checked / untyped: $name" "$value" "-"
  done < <(grep '_checked' "$OUT/typed_overhead.ratios")
fi

# ---- 4. autograd -------------------------------------------------------------------------------------
if wants autograd; then
  for n in 8 64 256; do
    # Steady state: enough passes that the tape's buffer and the allocator are warm.
    case $n in 8) k=(500 1000) ;; 64) k=(10 20) ;; 256) k=(2 4) ;; esac
    a=$(per_iteration "${k[0]}" "${k[1]}" "$BIN/callgrind_cases" mlp_autograd "$n")
    b=$(per_iteration "${k[0]}" "${k[1]}" "$BIN/callgrind_cases" mlp_by_hand "$n")
    target=$([[ $n -ge 64 ]] && echo "<= 1.03" || echo "<= 1.05")
    row autograd "MLP forward + backward, instructions autograd / by hand (n=$n)" "$(ratio "$a" "$b")" "$target"
  done
  while read -r name value; do
    n=${name##*/}
    target=$([[ $n -ge 64 ]] && echo "<= 1.03" || echo "<= 1.05")
    row autograd "time autograd / by hand: $name" "$value" "$target"
  done < <(time_ratios bench_autograd_overhead)
fi

# ---- 5. collectives ----------------------------------------------------------------------------------
if wants collectives; then
  "$BIN/bench_collectives_bandwidth" $([[ $QUICK == 1 ]] && echo --sizes=1M,16M,64M) >"$OUT/collectives.txt" 2>&1
  while read -r op ranks bytes value; do
    [[ $bytes -eq $((64 << 20)) ]] || continue
    target="-"
    case "$op.$ranks" in
      all_gather.2|all_gather_in_place.2|reduce_scatter.2) target=">= 0.9" ;;
      all_gather.4|all_gather_in_place.4|reduce_scatter.4) target=">= 0.6" ;;
      all_reduce.2) target=">= 1.5" ;;
    esac
    row collectives "$op, $ranks ranks, 64 MiB: bus bandwidth / memcpy" "$value" "$target"
  done < <(sed -n 's/^ratio \([a-z_]*\) \([0-9]*\) \([0-9]*\) \([0-9.]*\)$/\1 \2 \3 \4/p' "$OUT/collectives.txt")
fi

# ---- 3. compile time ---------------------------------------------------------------------------------
if wants compile; then
  benchmarks/compile_time/measure.sh $([[ $QUICK == 1 ]] && echo --quick) | tee "$OUT/compile.txt" | grep -v '^compile '
  while read -r shape axes opt n ts tu ms mu; do
    target="-"
    [[ $shape == repeated && $axes == 4 && $n == 1000 ]] && target="<= 1.5"
    [[ $shape == fresh && $axes == 4 && $n == 300 ]] && target="<= 2.5"
    row compile "$shape types, $axes axes, $opt, N=$n: time typed / untyped" "$(ratio "$ts" "$tu")" "$target"
    if [[ $shape == fresh && $n -ge 100 ]]; then
      target="-"
      [[ $axes == 4 && $opt == -O0 ]] && target="<= 3"
      row compile "$shape types, $axes axes, $opt, N=$n: extra ms per op over untyped" \
        "$(awk -v t="$ts" -v u="$tu" -v n="$n" 'BEGIN { printf "%.1f", 1000 * (t - u) / n }')" "$target"
    fi
    target="-"
    [[ $shape == fresh ]] && target="<= 1.5"
    row compile "$shape types, $axes axes, $opt, N=$n: peak memory typed / untyped" "$(ratio "$ms" "$mu")" "$target"
  done < <(sed -n 's/^compile //p' "$OUT/compile.txt")
fi

# ---- the table and the page --------------------------------------------------------------------------
TABLE="$OUT/table.md"
{
  echo "| section | case | measured | target | | note |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
} >"$TABLE"
echo
cat "$TABLE"
echo
echo "bench.sh: $(( $(date +%s) - t_start )) s; the table is in ${TABLE#"$ROOT"/}"

if [[ $DOCS == 1 ]]; then
  scripts/bench-report.sh "$OUT" "$PLOTS" "$QUICK"
fi
