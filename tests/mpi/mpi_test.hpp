// Helpers of the MPI test programs (tests/mpi/*.cpp): plain main()s started by mpirun, no test
// framework. Every rank records failures; report() sums them over MPI_COMM_WORLD, rank 0 prints a
// summary, and the program's exit code is non-zero on any failure (mpirun passes it on).
#pragma once

#include <cstddef>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spmd/runtime/mpi.hpp>

namespace spmd_mpi_tests {

using mesh_t = std::vector<std::pair<std::string, std::size_t>>;

class checker {
 public:
  explicit checker(std::string name) : name_(std::move(name)) {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    rank_ = static_cast<std::size_t>(r);
  }

  /// Records one check of this rank; prints the failures (every rank prints its own).
  void check(bool ok, std::string const& what) {
    ++checked_;
    if (!ok) {
      ++failed_;
      std::fprintf(stderr, "[%s] rank %zu: FAILED: %s\n", name_.c_str(), rank_, what.c_str());
    }
  }

  /// Records `checked` checks of this rank made elsewhere, `failed` of which failed.
  void record(int checked, int failed, std::string const& what) {
    checked_ += checked;
    failed_ += failed;
    if (failed != 0)
      std::fprintf(stderr, "[%s] rank %zu: FAILED: %s: %d of %d\n", name_.c_str(), rank_, what.c_str(), failed,
                   checked);
  }

  /// Runs fn(); an exception of the expected type E whose what() contains `expect` passes.
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

  /// Sums the counts over all ranks, prints "<name>: N checks, F failed on W ranks" on rank 0 and
  /// returns the exit code (0 if nothing failed anywhere).
  int report() const {
    long long local[2] = {checked_, failed_}, total[2] = {0, 0};
    MPI_Allreduce(local, total, 2, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    int world = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &world);
    if (rank_ == 0)
      std::printf("%s: %lld checks on %d ranks, %lld failed: %s\n", name_.c_str(), total[0], world, total[1],
                  total[1] == 0 && total[0] > 0 ? "PASSED" : "FAILED");
    return total[1] == 0 && total[0] > 0 ? 0 : 1;
  }

 private:
  std::string name_;
  std::size_t rank_ = 0;
  long long checked_ = 0;
  long long failed_ = 0;
};

/// The mesh a test program runs on, from its first argument: none -> one axis `axis` of the world
/// size; "2x2" -> {{"dp", 2}, {"tp", 2}} (the world size must be 4).
inline bool two_by_two(int argc, char** argv) {
  return argc > 1 && std::string_view(argv[1]) == "2x2";
}

}  // namespace spmd_mpi_tests
