#!/bin/sh
# Runs a command that must FAIL (exit non-zero), within a time limit, printing output that
# matches a regular expression. Used for the MPI tests of faults: a rank that throws must end the
# whole mpirun job, never hang and never exit 0.
#
#   expect_failure.sh <seconds> <extended regex> <command> [args...]
#
# Passes (exit 0) iff the command exits non-zero before <seconds>, and its stdout+stderr match the
# regex. Otherwise prints why and exits 1. The command is sent SIGTERM at the limit (mpirun then
# kills its processes) and SIGKILL 10 s later.
set -u
if [ $# -lt 3 ]; then
  echo "usage: $0 <seconds> <regex> <command> [args...]" >&2
  exit 2
fi
limit=$1
regex=$2
shift 2
out=$(mktemp "${TMPDIR:-/tmp}/spmd_expect_failure.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT
start=$(date +%s)
timeout -k 10 "$limit" "$@" >"$out" 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))
cat "$out"
echo "--- exit code $rc after ${elapsed} s"
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "FAILED: the command did not end within ${limit} s (hang)"
  exit 1
fi
if [ "$rc" -eq 0 ]; then
  echo "FAILED: the command exited 0; it had to fail"
  exit 1
fi
if ! grep -Eq -- "$regex" "$out"; then
  echo "FAILED: the output does not match: $regex"
  exit 1
fi
echo "PASSED: exited $rc in ${elapsed} s with the expected message"
exit 0
