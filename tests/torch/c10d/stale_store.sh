#!/usr/bin/env bash
# A FileStore that an earlier job used must be refused by every rank of the next job with a clear
# message, not lead it to the earlier job's Gloo addresses (a hang until Gloo's timeout).
#   stale_store.sh <c10d_faults program>
# Passes (exit 0) iff a first 2-rank job on a new store file succeeds, and a second job on the
# same file fails on both ranks within 60 s, each printing the message.
set -u
prog=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/spmd_stale_store.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
export SPMD_DIST_STORE="file:$dir/store" WORLD_SIZE=2
for r in 0 1; do RANK=$r timeout 60 "$prog" healthy >"$dir/first$r" 2>&1 & done
wait
for r in 0 1; do
  if ! grep -q "PASSED" "$dir/first$r"; then
    echo "FAILED: the first job (rank $r) did not pass:"; cat "$dir/first$r"; exit 1
  fi
done
pids=()
for r in 0 1; do RANK=$r timeout 60 "$prog" healthy >"$dir/second$r" 2>&1 & pids+=($!); done
status=0
for r in 0 1; do
  wait "${pids[$r]}"
  rc=$?
  cat "$dir/second$r"
  if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || ! grep -q "spmd: dist::run: the store file '$dir/store' was used by an earlier job" "$dir/second$r"; then
    echo "FAILED: rank $r of the second job exited with $rc without the message"
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "PASSED: the second job was refused on both ranks"
exit $status
