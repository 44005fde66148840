#!/usr/bin/env bash
# Starts N processes of a program on this machine with the environment torchrun gives them, for
# the c10d runtime (spmd::dist::run): RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, and a store.
# No python needed.
#
#   scripts/torchrun.sh -n 4 [--timeout S] [--tcp] prog args...
#
# The store: by default a FileStore in a new temporary directory (SPMD_DIST_STORE=file:<dir>/store,
# removed afterwards): no ports, so jobs running side by side (ctest -j) cannot collide. With --tcp
# (or SPMD_TORCHRUN_STORE=tcp), rank 0 serves a TCPStore at MASTER_ADDR=127.0.0.1 and a
# MASTER_PORT chosen at random in 20000-59999 among the ports nobody listens on, and locked
# (flock) against other torchrun.sh jobs for as long as this one runs.
#
# Waits for every process. If one exits with an error (or a signal), the others get SIGTERM (and
# SIGKILL 5 s later): spmd::dist already ends them, this covers a process stuck outside it. With
# --timeout S, all are killed after S seconds. Prints which ranks failed; the exit status is 0 iff
# every rank exited 0, else 1 (124 on the timeout).
set -u

usage() {
  echo "usage: $0 -n N [--timeout S] [--tcp] prog [args...]" >&2
  exit 2
}

n=""
limit=0
tcp=0
[ "${SPMD_TORCHRUN_STORE:-}" = tcp ] && tcp=1
while [ $# -gt 0 ]; do
  case "$1" in
    -n|--nproc|--nproc-per-node) [ $# -ge 2 ] || usage; n=$2; shift 2 ;;
    -n=*|--nproc=*|--nproc-per-node=*) n=${1#*=}; shift ;;
    --timeout) [ $# -ge 2 ] || usage; limit=$2; shift 2 ;;
    --timeout=*) limit=${1#*=}; shift ;;
    --tcp) tcp=1; shift ;;
    --) shift; break ;;
    -*) usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
case "$n" in ''|*[!0-9]*) usage ;; esac
[ "$n" -ge 1 ] || usage
case "$limit" in *[!0-9]*) usage ;; esac

dir=$(mktemp -d "${TMPDIR:-/tmp}/spmd_torchrun.XXXXXX") || exit 2
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$tcp" -eq 1 ]; then
  # A port nobody listens on: /proc/net/tcp* lists local addresses as HEXIP:HEXPORT (column 2),
  # state 0A = LISTEN (column 4).
  listening=""
  while read -r _ local _ state _; do
    [ "$state" = 0A ] && listening+="$((16#${local##*:}))"$'\n'
  done < <(tail -q -n +2 /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  port=""
  # Among launchers running side by side, a lock per port (held until this script exits) makes
  # the choice exclusive; the check above keeps away from ports other programs listen on.
  lockdir=${TMPDIR:-/tmp}
  for _ in $(seq 1 200); do
    candidate=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    grep -qx "$candidate" <<<"$listening" && continue
    exec {lockfd}>"$lockdir/spmd_torchrun_port.$candidate.lock" || continue
    if flock -n "$lockfd"; then
      port=$candidate
      break
    fi
    exec {lockfd}>&-
  done
  [ -n "$port" ] || { echo "torchrun.sh: found no free port" >&2; exit 2; }
  export MASTER_ADDR=127.0.0.1 MASTER_PORT=$port
  unset SPMD_DIST_STORE
else
  export SPMD_DIST_STORE="file:$dir/store"
fi
export WORLD_SIZE=$n LOCAL_WORLD_SIZE=$n

for ((r = 0; r < n; r++)); do
  RANK=$r LOCAL_RANK=$r "$@" &
  pids+=($!)
done

start=$SECONDS
declare -A status
failed=()
timed_out=0
remaining=$n
while [ "$remaining" -gt 0 ]; do
  for ((r = 0; r < n; r++)); do
    [ -n "${status[$r]:-}" ] && continue
    if ! kill -0 "${pids[$r]}" 2>/dev/null; then
      wait "${pids[$r]}"
      rc=$?
      status[$r]=$rc
      remaining=$((remaining - 1))
      if [ "$rc" -ne 0 ]; then
        failed+=("$r")
        if [ "$rc" -gt 128 ]; then
          echo "torchrun.sh: rank $r was killed by signal $((rc - 128))" >&2
        else
          echo "torchrun.sh: rank $r failed with exit status $rc" >&2
        fi
      fi
    fi
  done
  [ "$remaining" -eq 0 ] && break
  if [ "${#failed[@]}" -gt 0 ] && [ -z "${term_at:-}" ]; then
    # Give the others a moment to end on their own (they print why), then end them.
    term_at=$((SECONDS + 5))
  fi
  if [ -n "${term_at:-}" ] && [ "$SECONDS" -ge "$term_at" ]; then
    for ((r = 0; r < n; r++)); do
      [ -z "${status[$r]:-}" ] && kill -TERM "${pids[$r]}" 2>/dev/null
    done
    term_at=$((SECONDS + 5))
  fi
  if [ "$limit" -gt 0 ] && [ $((SECONDS - start)) -ge "$limit" ] && [ "$timed_out" -eq 0 ]; then
    timed_out=1
    echo "torchrun.sh: the job did not end within $limit s (--timeout): killing it" >&2
    for ((r = 0; r < n; r++)); do
      [ -z "${status[$r]:-}" ] && kill -KILL "${pids[$r]}" 2>/dev/null
    done
  fi
  sleep 0.05
done

if [ "$timed_out" -eq 1 ]; then
  exit 124
fi
if [ "${#failed[@]}" -gt 0 ]; then
  echo "torchrun.sh: ${#failed[@]} of $n ranks failed: ${failed[*]}" >&2
  exit 1
fi
exit 0
