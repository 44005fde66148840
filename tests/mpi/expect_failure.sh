#!/bin/sh
# Runs a command that must FAIL, within a time limit, printing output that matches a regular
# expression. Used for the MPI tests of faults: a rank that throws must end the whole mpirun job
# with an error status, never hang, never crash and never exit 0.
#
#   expect_failure.sh <seconds> <extended regex> <command> [args...]
#
# Passes (exit 0) iff the command ends before <seconds> with an exit status from 1 to 123 (an
# error it reports, not a signal: 128+N is a crash, e.g. 139 for mpirun's own segfault) and its
# stdout+stderr match the regex. Otherwise prints why and exits 1. Whether it hung is judged by
# the time it took, not by its exit status. At the limit the command is sent SIGTERM (mpirun then
# kills its processes) and SIGKILL 10 s later.
#
# SPMD_MPI_REPEAT=<n> (default 1): run it n times in a row; every run must pass.
set -u
if [ $# -lt 3 ]; then
  echo "usage: $0 <seconds> <regex> <command> [args...]" >&2
  exit 2
fi
limit=$1
regex=$2
shift 2
repeat=${SPMD_MPI_REPEAT:-1}
out=$(mktemp "${TMPDIR:-/tmp}/spmd_expect_failure.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT
i=1
while [ "$i" -le "$repeat" ]; do
  start=$(date +%s)
  timeout -k 10 "$limit" "$@" >"$out" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  if [ "$repeat" -eq 1 ]; then
    cat "$out"
  fi
  why=""
  if [ "$elapsed" -ge "$limit" ]; then
    why="the command did not end within ${limit} s (hang)"
  elif [ "$rc" -eq 0 ]; then
    why="the command exited 0; it had to fail"
  elif [ "$rc" -gt 123 ]; then
    why="the command ended with status $rc (a signal or crash, not an error it reported)"
  elif ! grep -Eq -- "$regex" "$out"; then
    why="the output does not match: $regex"
  fi
  if [ -n "$why" ]; then
    [ "$repeat" -ne 1 ] && cat "$out"
    echo "--- run $i of $repeat: exit code $rc after ${elapsed} s"
    echo "FAILED: $why"
    exit 1
  fi
  echo "--- run $i of $repeat: exit code $rc after ${elapsed} s: passed"
  i=$((i + 1))
done
echo "PASSED: $repeat run(s), each exited with an error status and the expected message"
exit 0
