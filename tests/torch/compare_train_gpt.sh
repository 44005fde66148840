#!/usr/bin/env bash
# train_gpt on libtorch tensors must train the same model as on local::dense: the same seed gives
# the same losses, step by step, to 1e-10 (relative) in float64. Runs
#   1. dense tensors, threads runtime, dp=2 x tp=2 (the reference);
#   2. libtorch tensors, 4 processes over c10d process groups (Gloo), dp=2 x tp=2, SP on;
#   3. libtorch tensors, threads runtime (the tensor type alone changed).
#
#   tests/torch/compare_train_gpt.sh path/to/train_gpt [steps]
set -euo pipefail
prog=$1
steps=${2:-8}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
common=(--dp 2 --tp 2 --sp on --steps "$steps" --losses exact)

losses() { grep -E '^step ' | awk '{print $4}'; }

ref=$("$prog" "${common[@]}" | losses)
torch_c10d=$("$root/scripts/torchrun.sh" -n 4 --timeout 300 "$prog" --backend torch "${common[@]}" | losses)
torch_threads=$("$prog" --backend torch --runtime threads "${common[@]}" | losses)

status=0
compare() {
  local name=$1 got=$2
  if [[ $(wc -l <<<"$got") -ne $steps || $(wc -l <<<"$ref") -ne $steps ]]; then
    echo "FAILED: $name printed $(wc -l <<<"$got") losses, the reference $(wc -l <<<"$ref"); expected $steps"
    status=1
    return
  fi
  paste <(echo "$ref") <(echo "$got") | awk -v name="$name" '
    { d = $1 - $2; if (d < 0) d = -d; r = d / ($1 < 0 ? -$1 : $1); if (r > worst) worst = r
      printf "  step %2d  dense %.17g  %s %.17g  rel. diff %.2e\n", NR, $1, name, $2, r }
    END { printf "%s: largest relative difference %.2e (limit 1e-10)\n", name, worst; exit !(worst <= 1e-10) }' ||
    status=1
}
compare "torch+c10d" "$torch_c10d"
compare "torch+threads" "$torch_threads"
if [[ $status -eq 0 ]]; then echo "OK: libtorch losses equal the dense losses"; else echo "FAILED"; fi
exit $status
