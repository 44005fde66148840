// spmd/runtime/detail/watchdog_thread.hpp - what the MPI and c10d runtimes' watchdogs share: the
// thread that polls until the watchdog is destroyed, the clock they stamp collectives with, and
// the message of a collective that did not complete in time. Private to the runtimes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include <spmd/runtime/detail/collective_kind.hpp>

namespace spmd::runtime::detail {

/// Steady-clock nanoseconds, never 0 (a watchdog's 0 means idle).
[[nodiscard]] inline std::int64_t watch_now() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
             .count() |
         1;
}

/// "all_reduce_sum on group 'tp' did not complete within 2 s (SPMD_MPI_TIMEOUT): ...", with a hint
/// when a flattened group's creation is what waits.
[[nodiscard]] inline std::string overdue_text(op_kind op, std::string const& group, std::chrono::nanoseconds limit,
                                              char const* env) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g", std::chrono::duration<double>(limit).count());
  std::string what = std::string(op_name(op)) + " on group '" + group + "' did not complete within " + seconds +
                     " s (" + env +
                     "): another rank has failed, has finished, or waits in a "
                     "different collective";
  if (op == op_kind::group_creation && group.find(',') != std::string::npos)
    what +=
        " (the ranks of a flattened group create its communicator on first use, together: give every "
        "rank the same order of first uses)";
  return what;
}

/// A thread that calls `tick()` every `poll` (under its own lock) until it is destroyed: a
/// watchdog's start and stop. Declare it as the watchdog's last member, so that it stops before
/// what `tick` reads is destroyed.
class polling_thread {
 public:
  template <class Tick>
  polling_thread(std::chrono::nanoseconds poll, Tick tick)
      : thread_([this, poll, tick = std::move(tick)] {
          std::unique_lock<std::mutex> lock(m_);
          while (!stop_) {
            cv_.wait_for(lock, poll);
            if (stop_) break;
            tick();
          }
        }) {}
  polling_thread(polling_thread const&) = delete;
  polling_thread& operator=(polling_thread const&) = delete;
  ~polling_thread() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace spmd::runtime::detail
