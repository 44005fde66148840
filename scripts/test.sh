#!/usr/bin/env bash
# Full test suite: configure + build + ctest with g++ (build/gcc) and
# clang++ (build/clang), then the libtorch backend (build/torch) and the sanitizer stages
# (build/tsan, build/asan). Each stage can run alone, e.g. only the torch stage:
#   SPMD_COMPILERS= SPMD_TSAN=0 SPMD_ASAN=0 scripts/test.sh
#
# Environment:
#   SPMD_COMPILERS   compilers to use, space/comma separated (default "gcc clang"; set but
#                    empty: none, only the sanitizer stages)
#   SPMD_BUILD_TYPE  CMake build type (default Release)
#   SPMD_CLANG_RELEASE_FLAGS  the clang stage's Release flags (default "-O1 -DNDEBUG")
#   SPMD_JOBS        parallel build/test jobs (default 2)
#   SPMD_CLEAN=1     wipe the build directories first
#   SPMD_CMAKE_ARGS  extra arguments for the configure step
#   SPMD_TSAN=0      skip the ThreadSanitizer run of the runtime, collective and autograd tests
#   SPMD_ASAN=0      skip the AddressSanitizer+UBSan run of the unit tests and the examples
#   SPMD_TORCH=0     skip the libtorch backend (spmd::torch_tensor, the c10d runtime, train_gpt on
#                    libtorch + Gloo); it needs libtorch-dev and libgloo-dev
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

COMPILERS=${SPMD_COMPILERS-gcc clang}
COMPILERS=${COMPILERS//,/ }
BUILD_TYPE=${SPMD_BUILD_TYPE:-Release}
JOBS=${SPMD_JOBS:-2}
read -r -a EXTRA_ARGS <<<"${SPMD_CMAKE_ARGS:-}"

declare -a SUMMARY=()
overall=0
first_done=""
t_start=$(date +%s)

for c in $COMPILERS; do
  case "$c" in
    gcc|g++)       cxx=g++;     c=gcc ;;
    clang|clang++) cxx=clang++; c=clang ;;
    *) echo "test.sh: unknown compiler '$c' (use gcc or clang)" >&2; exit 2 ;;
  esac
  bdir="$ROOT/build/$c"
  [[ "${SPMD_CLEAN:-0}" == "1" ]] && rm -rf "$bdir"
  t0=$(date +%s)
  status=OK
  detail=""
  cf=""

  echo
  echo "================================================================"
  echo "== $c ($cxx, $BUILD_TYPE) -> build/$c"
  echo "================================================================"

  # The libtorch backend has a stage of its own (below). The header self-containment checks
  # (one TU per public header) run with the first compiler only: both compilers read the same
  # standard library headers, so the second would find what the first did.
  stage_args=(-DSPMD_WITH_TORCH=OFF -DSPMD_HEADER_CHECKS=ON)
  [[ -n "$first_done" ]] && stage_args=(-DSPMD_WITH_TORCH=OFF -DSPMD_HEADER_CHECKS=OFF)
  # The clang stage builds at -O1 unless SPMD_CLANG_RELEASE_FLAGS says otherwise: it checks that
  # clang accepts the code (and rejects the compile-fail cases with the same messages) and runs
  # every test; g++ keeps CMake's Release flags (-O3). Most of a test's compile time is spent
  # optimising the instantiated templates: -O1 takes about two thirds of -O3's time.
  if [[ "$c" == clang && "$BUILD_TYPE" == Release ]]; then
    stage_args+=(-DCMAKE_CXX_FLAGS_RELEASE="${SPMD_CLANG_RELEASE_FLAGS:--O1 -DNDEBUG}")
  fi
  if ! cmake -S "$ROOT" -B "$bdir" -DCMAKE_CXX_COMPILER="$cxx" \
        -DCMAKE_BUILD_TYPE="$BUILD_TYPE" "${stage_args[@]}" "${EXTRA_ARGS[@]}"; then
    status="FAILED (configure)"
  elif ! cmake --build "$bdir" -j"$JOBS"; then
    status="FAILED (build)"
  else
    # The 50-run MPI teardown test (label mpi_stress) and the formatting check (label style) run
    # with the first compiler only: the second build changes neither the runtime's behaviour
    # under mpirun nor the sources.
    ctest_args=(--output-on-failure -j"$JOBS")
    [[ -n "$first_done" ]] && ctest_args+=(-LE "mpi_stress|style")
    set +e
    (cd "$bdir" && ctest "${ctest_args[@]}") | tee "$bdir/ctest-summary.log"
    rc=${PIPESTATUS[0]}
    set -e
    detail=$(grep -E "tests passed, .* failed out of" "$bdir/ctest-summary.log" | tail -n1 || true)
    cf=$(grep -hoE "compile-fail cases: [0-9]+" "$bdir/Testing/Temporary/LastTest.log" 2>/dev/null | tail -n1 || true)
    [[ $rc -ne 0 ]] && status="FAILED (tests)"
    first_done=1
  fi

  t1=$(date +%s)
  [[ "$status" != OK ]] && overall=1
  SUMMARY+=("$(printf '%-6s %-18s %s; %s; %ss' "$c" "$status" "${detail:-no test results}" "${cf:-compile-fail cases: ?}" "$((t1 - t0))")")
done

# The libtorch backend, g++: its tests (label torch) and train_gpt on libtorch tensors over c10d.
# Only the torch targets are built (spmd_torch_checks); a TU with libtorch takes ~20 s.
if [[ "${SPMD_TORCH:-1}" != "0" ]]; then
  bdir="$ROOT/build/torch"
  t0=$(date +%s)
  status=OK
  detail=""
  echo
  echo "================================================================"
  echo "== torch (g++, libtorch + c10d Gloo) -> build/torch"
  echo "================================================================"
  if ! cmake -S "$ROOT" -B "$bdir" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
        -DSPMD_WITH_TORCH=ON "${EXTRA_ARGS[@]}"; then
    status="FAILED (configure)"
  elif ! cmake --build "$bdir" -j"$JOBS" --target spmd_torch_checks; then
    status="FAILED (build)"
  else
    set +e
    (cd "$bdir" && ctest --output-on-failure -j"$JOBS" -L torch) | tee "$bdir/ctest-summary.log"
    rc=${PIPESTATUS[0]}
    set -e
    detail=$(grep -E "tests passed, .* failed out of" "$bdir/ctest-summary.log" | tail -n1 || true)
    [[ $rc -ne 0 ]] && status="FAILED (tests)"
  fi
  [[ "$status" != OK ]] && overall=1
  SUMMARY+=("$(printf '%-6s %-18s %s; %ss' torch "$status" "${detail:-no test results}" "$(( $(date +%s) - t0 ))")")
fi

# ThreadSanitizer: the tests that run ranks on threads (runtime, collectives, autograd), g++.
if [[ "${SPMD_TSAN:-1}" != "0" ]]; then
  bdir="$ROOT/build/tsan"
  t0=$(date +%s)
  status=OK
  echo
  echo "================================================================"
  echo "== tsan (g++ -fsanitize=thread) -> build/tsan"
  echo "================================================================"
  # -O1 -g1 (line tables): TSan's advice, and half the build time of RelWithDebInfo's -O2 -g.
  if ! cmake -S "$ROOT" -B "$bdir" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DSPMD_SANITIZE=thread -DSPMD_BUILD_EXAMPLES=OFF -DSPMD_WITH_TORCH=OFF "${EXTRA_ARGS[@]}"; then
    status="FAILED (configure)"
  elif ! cmake --build "$bdir" -j"$JOBS" --target spmd_unit_tests_concurrent; then
    status="FAILED (build)"
  elif ! TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
        "$bdir/tests/spmd_unit_tests_concurrent" "[threads],[comm],[autograd],[nn]"; then
    status="FAILED (tests)"
  fi
  [[ "$status" != OK ]] && overall=1
  SUMMARY+=("$(printf '%-6s %-18s %s; %ss' tsan "$status" "runtime/collective/autograd/nn tests under ThreadSanitizer" "$(( $(date +%s) - t0 ))")")
fi

# AddressSanitizer + UBSan (UB aborts, leaks are reported): the unit tests and every example,
# g++. Debug (-O0), not -O2: the same checks at about a third of the build time, which is most
# of this stage's cost. train_gpt runs a few steps only.
if [[ "${SPMD_ASAN:-1}" != "0" ]]; then
  bdir="$ROOT/build/asan"
  t0=$(date +%s)
  status=OK
  examples=()
  for src in "$ROOT"/examples/*.cpp; do
    [[ -e "$src" ]] && examples+=("$(basename "$src" .cpp)")
  done
  echo
  echo "================================================================"
  echo "== asan (g++ -fsanitize=address,undefined) -> build/asan"
  echo "================================================================"
  # -g1 (line tables, enough for the reports' stacks): a tenth less build time than -g.
  if ! cmake -S "$ROOT" -B "$bdir" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" -DSPMD_SANITIZE=address -DSPMD_WITH_TORCH=OFF "${EXTRA_ARGS[@]}"; then
    status="FAILED (configure)"
  elif ! cmake --build "$bdir" -j"$JOBS" --target spmd_sanitizer_checks; then
    status="FAILED (build)"
  else
    san_env=(ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
             UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    if ! env "${san_env[@]}" "$bdir/tests/spmd_unit_tests"; then
      status="FAILED (unit tests)"
    fi
    for name in "${examples[@]}"; do
      args=()
      [[ "$name" == train_gpt ]] && args=(--steps 5)
      echo "-- example $name ${args[*]}"
      if ! env "${san_env[@]}" "$bdir/examples/$name" "${args[@]}"; then
        [[ "$status" == OK ]] && status="FAILED (example $name)"
      fi
    done
  fi
  [[ "$status" != OK ]] && overall=1
  SUMMARY+=("$(printf '%-6s %-18s %s; %ss' asan "$status" "unit tests + ${#examples[@]} examples under AddressSanitizer+UBSan" "$(( $(date +%s) - t0 ))")")
fi

echo
echo "================================ summary ================================"
for line in "${SUMMARY[@]}"; do echo "$line"; done
echo "total wall time: $(( $(date +%s) - t_start ))s"
if [[ $overall -eq 0 ]]; then echo "ALL PASSED"; else echo "SOME FAILED"; fi
exit $overall
