#!/bin/sh
# mpirun wrapper for development machines and containers: adds the flags OpenMPI needs to run as
# root (--allow-run-as-root) and to start more ranks than there are cores (--oversubscribe),
# only when they are needed and only for OpenMPI; everything else is passed through unchanged.
#
#   scripts/mpirun.sh -np 4 build/examples/train_gpt --dp 2 --tp 2
#   MPIRUN=/opt/ompi/bin/mpirun scripts/mpirun.sh -n 8 --hostfile hosts ./prog
#
# With a --hostfile/--host/-H, oversubscription is left to the host list's slots.
set -eu
mpirun=${MPIRUN:-mpirun}
if ! command -v "$mpirun" >/dev/null 2>&1; then
  echo "scripts/mpirun.sh: '$mpirun' not found (install openmpi-bin, or set MPIRUN)" >&2
  exit 127
fi

# The number of ranks asked for (-np N, -n N, -c N, --np N, --n N, -np=N ...), and whether hosts
# are given.
np=""
hosts=0
prev=""
for arg in "$@"; do
  case "$prev" in
    -np|-n|-c|--np|--n) np=$arg ;;
  esac
  case "$arg" in
    -np=*|-n=*|--np=*|--n=*) np=${arg#*=} ;;
    --hostfile|-hostfile|--machinefile|-machinefile|--host|-host|-H|--hostfile=*|--host=*) hosts=1 ;;
  esac
  prev=$arg
done

extra=""
if "$mpirun" --version 2>/dev/null | grep -q "Open MPI"; then
  if [ "$(id -u)" -eq 0 ]; then
    extra="$extra --allow-run-as-root"
  fi
  cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
  if [ "$hosts" -eq 0 ] && [ -n "$np" ] && [ "$np" -gt "$cores" ] 2>/dev/null; then
    extra="$extra --oversubscribe"
  fi
fi

# shellcheck disable=SC2086  # $extra is a list of flags without spaces inside them
exec "$mpirun" $extra "$@"
