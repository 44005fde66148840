// Helpers of the c10d runtime's test programs: plain main()s started by scripts/torchrun.sh, no
// test framework. Every rank counts its checks and prints its failures; its exit status is
// non-zero if any check failed on it (or none ran), and torchrun.sh fails if any rank does.
#pragma once

#include <cstddef>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spmd_dist_tests {

using mesh_t = std::vector<std::pair<std::string, std::size_t>>;

class checker {
 public:
  explicit checker(std::string name) : name_(std::move(name)) {}

  void check(bool ok, std::string const& what) {
    ++checked_;
    if (!ok) {
      ++failed_;
      std::fprintf(stderr, "[%s] rank %zu: FAILED: %s\n", name_.c_str(), rank_, what.c_str());
    }
  }

  void record(int checked, int failed, std::string const& what) {
    checked_ += checked;
    failed_ += failed;
    if (failed != 0)
      std::fprintf(stderr, "[%s] rank %zu: FAILED: %s: %d of %d\n", name_.c_str(), rank_, what.c_str(), failed,
                   checked);
  }

  /// Runs fn(); an exception of type E whose what() contains `expect` passes.
  template <class E, class F>
  void expect_throw(F&& fn, std::string_view expect, std::string const& what) {
    try {
      fn();
    } catch (E const& e) {
      bool const ok = std::string_view(e.what()).find(expect) != std::string_view::npos;
      check(ok, what + ": message '" + e.what() + "' lacks '" + std::string(expect) + "'");
      return;
    } catch (std::exception const& e) {
      check(false, what + ": threw the wrong exception type: " + e.what());
      return;
    }
    check(false, what + ": did not throw");
  }

  void set_rank(std::size_t r) { rank_ = r; }

  /// Prints "<name>: rank R: N checks, F failed" and returns the exit status.
  [[nodiscard]] int report() const {
    bool const ok = failed_ == 0 && checked_ > 0;
    std::printf("%s: rank %zu: %lld checks, %lld failed: %s\n", name_.c_str(), rank_, checked_, failed_,
                ok ? "PASSED" : "FAILED");
    return ok ? 0 : 1;
  }

 private:
  std::string name_;
  std::size_t rank_ = 0;
  long long checked_ = 0;
  long long failed_ = 0;
};

}  // namespace spmd_dist_tests
