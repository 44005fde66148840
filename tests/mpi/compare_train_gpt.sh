#!/usr/bin/env bash
# Threads and MPI runs of train_gpt (same seed, dp=2 x tp=2) print the same loss per step:
# relative difference <= 1e-6 in double. usage: compare_train_gpt.sh <mpiexec> <train_gpt> [steps]
set -euo pipefail
mpiexec=$1 prog=$2 steps=${3:-10}
args=(--dp 2 --tp 2 --steps "$steps" --seed 7 --losses exact)
threads=$("$prog" "${args[@]}" | awk '$1 == "step" { print $4 }')
mpi=$("$mpiexec" -n 4 "$prog" --runtime mpi "${args[@]}" | awk '$1 == "step" { print $4 }')
paste <(echo "$threads") <(echo "$mpi") | awk -v steps="$steps" '
  { n++; d = $1 - $2; if (d < 0) d = -d; rel = d / ($1 < 0 ? -$1 : $1);
    if (rel > worst) worst = rel;
    printf "step %2d  threads %.12f  mpi %.12f  rel %.2e\n", n, $1, $2, rel }
  END { if (n != steps) { print "expected " steps " steps, got " n; exit 1 }
        printf "worst relative difference %.2e (limit 1e-6)\n", worst; exit worst > 1e-6 }'
