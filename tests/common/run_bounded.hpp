// threads::run with a bounded wait, for the threads runtime's unit tests
// (tests/unit/test_threads_runtime.cpp, tests/unit/test_threads_faults.cpp): a hang must fail the
// test program at once instead of blocking it until ctest's timeout.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <spmd/runtime/threads.hpp>

namespace spmd_tests {

using mesh_t = std::vector<std::pair<std::string, std::size_t>>;

/// Runs threads::run(mesh, fn) on another thread and waits at most 20 s for it; returns the
/// exception run() threw (or null). A hang aborts the test program with a message.
template <class F>
std::exception_ptr run_bounded(mesh_t const& mesh, F fn) {
  std::packaged_task<void()> task([mesh, fn]() mutable { spmd::threads::run(mesh, fn); });
  auto done = task.get_future();
  std::thread runner(std::move(task));
  if (done.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    std::fprintf(stderr, "spmd test: threads::run did not finish within 20 s (hang)\n");
    std::abort();
  }
  runner.join();
  try {
    done.get();
  } catch (...) {
    return std::current_exception();
  }
  return nullptr;
}

/// The message of the exception `p` holds ("" for none, or for one not derived from std::exception).
inline std::string what_of(std::exception_ptr const& p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (std::exception const& e) {
    return e.what();
  } catch (...) {
  }
  return "";
}

}  // namespace spmd_tests
