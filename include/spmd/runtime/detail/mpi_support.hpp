// spmd/runtime/detail/mpi_support.hpp - what <spmd/runtime/mpi.hpp> builds on: <mpi.h> (without
// the deprecated C++ bindings), the element types and operation names, MPI error codes turned into
// spmd::comm_error, int count conversion, run-time options from the environment, and the optional
// watchdog that ends the job when a collective does not complete in time.
// Private to <spmd/runtime/mpi.hpp>; the only other header of the library that includes <mpi.h>.
#pragma once

// The MPI-2 C++ bindings are deprecated (and noisy under -Wpedantic); only the C API is used.
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>

#include <spmd/runtime/comm_error.hpp>
#include <spmd/runtime/detail/armed.hpp>
#include <spmd/runtime/detail/collective_kind.hpp>
#include <spmd/runtime/detail/fingerprint.hpp>
#include <spmd/runtime/detail/run_options.hpp>
#include <spmd/runtime/detail/watchdog_thread.hpp>

namespace spmd::mpi::detail {

using runtime::detail::elem_kind;
using runtime::detail::elem_name;
using runtime::detail::elem_of;
using runtime::detail::hash_counts;
using runtime::detail::hash_text;
using runtime::detail::op_kind;
using runtime::detail::op_name;

/// The MPI datatype of a float or double element.
template <class T>
[[nodiscard]] MPI_Datatype datatype() noexcept {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  if constexpr (std::is_same_v<T, float>)
    return MPI_FLOAT;
  else
    return MPI_DOUBLE;
}

/// MPI's text for an error code.
[[nodiscard]] inline std::string error_string(int code) {
  char buf[MPI_MAX_ERROR_STRING + 1] = {};
  int len = 0;
  if (MPI_Error_string(code, buf, &len) != MPI_SUCCESS || len <= 0) return "MPI error code " + std::to_string(code);
  return std::string(buf, static_cast<std::size_t>(len));
}

/// How a failed MPI call maps to comm_error::reason: argument and size errors are the ranks
/// disagreeing (or passing bad arguments), anything else is a failure of the job.
[[nodiscard]] inline comm_error::reason reason_of(int code) noexcept {
  int cls = code;
  if (MPI_Error_class(code, &cls) != MPI_SUCCESS) return comm_error::reason::rank_failed;
  if (cls == MPI_ERR_TRUNCATE || cls == MPI_ERR_COUNT || cls == MPI_ERR_TYPE || cls == MPI_ERR_ROOT ||
      cls == MPI_ERR_BUFFER || cls == MPI_ERR_ARG || cls == MPI_ERR_RANK || cls == MPI_ERR_OP)
    return comm_error::reason::mismatch;
  return comm_error::reason::rank_failed;
}

/// Throws comm_error ("spmd: <where()>: <call> failed: <MPI's text>") unless rc is MPI_SUCCESS.
/// `where` is a callable returning the context ("all_gather on group 'tp'"), called on error only.
template <class Where>
void check(int rc, char const* call, Where const& where) {
  if (rc == MPI_SUCCESS) [[likely]]
    return;
  throw comm_error("spmd: " + std::string(where()) + ": " + call + " failed: " + error_string(rc), reason_of(rc));
}

inline constexpr std::size_t int_max = static_cast<std::size_t>(INT_MAX);

using runtime::detail::env_flag;     // SPMD_MPI_CHECK
using runtime::detail::env_seconds;  // SPMD_MPI_TIMEOUT
using runtime::detail::max_timeout_seconds;

/// The watchdog limit for options::timeout_seconds (see runtime::detail::effective_timeout).
[[nodiscard]] inline double effective_timeout(double seconds) {
  return runtime::detail::effective_timeout(seconds, "mpi::run");
}

/// Prints "spmd: rank N failed: <what>" and ends the whole job (every rank, non-zero exit).
[[noreturn]] inline void abort_job(std::size_t index, char const* what) noexcept {
  std::fprintf(stderr, "spmd: rank %zu failed: %s\n", index, what);
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::_Exit(1);  // MPI_Abort does not return; this is for an MPI that does
}

/// A thread that ends the job (exits the process) when a collective of this rank has not completed after
/// `limit` seconds: the MPI replacement for the threads runtime's detection of finished and
/// deadlocked ranks. begin()/end() cost two relaxed atomic stores and a clock read.
class watchdog {
 public:
  /// `limit_seconds`: > 0 and at most max_timeout_seconds.
  watchdog(double limit_seconds, std::size_t index)
      : limit_(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(limit_seconds))),
        index_(index),
        thread_(std::min<std::chrono::nanoseconds>(limit_ / 4 + std::chrono::nanoseconds(1),
                                                   std::chrono::milliseconds(500)),
                [this] { tick(); }) {}
  watchdog(watchdog const&) = delete;
  watchdog& operator=(watchdog const&) = delete;

  void begin(op_kind op, std::string const* group) noexcept {
    op_.store(op, std::memory_order_relaxed);
    group_.store(group, std::memory_order_relaxed);
    start_.store(now(), std::memory_order_release);
  }
  void end() noexcept { start_.store(0, std::memory_order_relaxed); }

 private:
  static std::int64_t now() noexcept { return runtime::detail::watch_now(); }

  void tick() {
    std::int64_t const t = start_.load(std::memory_order_acquire);
    if (t != 0 && now() - t > limit_.count()) {
      std::string const* g = group_.load(std::memory_order_relaxed);
      std::string const what =
          runtime::detail::overdue_text(op_.load(std::memory_order_relaxed), g != nullptr ? *g : std::string("?"),
                                        limit_, "SPMD_MPI_TIMEOUT");
      // Not MPI_Abort: only the main thread may call MPI (MPI_THREAD_FUNNELED), and an
      // MPI_Abort racing the main thread's blocked collective can hang. mpirun ends the whole
      // job when a process exits without MPI_Finalize.
      std::fprintf(stderr, "spmd: rank %zu failed: %s\n", index_, what.c_str());
      std::fflush(stderr);
      std::_Exit(1);
    }
  }

  std::chrono::nanoseconds limit_;
  std::size_t index_;
  std::atomic<std::int64_t> start_{0};
  std::atomic<op_kind> op_{op_kind::none};
  std::atomic<std::string const*> group_{nullptr};
  runtime::detail::polling_thread thread_;  // last: stops before the above are destroyed
};

/// Marks this rank as inside a collective for the watchdog, if there is one.
using armed = runtime::detail::armed<watchdog>;

}  // namespace spmd::mpi::detail
