// spmd/runtime/detail/mpi_environment.hpp - mpi::environment: MPI initialised (and finalized) for
// the length of a program. Private to <spmd/runtime/mpi.hpp>.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include <spmd/runtime/detail/mpi_support.hpp>

namespace spmd::mpi {

/// Initialises MPI (MPI_Init_thread, MPI_THREAD_FUNNELED) unless it already is, and finalizes it
/// on destruction if it initialised it. Create one at the top of main() to call run() several
/// times in one program (run() alone finalizes MPI when it initialised it, and MPI cannot be
/// initialised twice), or to know the world size before choosing a mesh.
class environment {
 public:
  environment() { init(nullptr, nullptr); }
  environment(int& argc, char**& argv) { init(&argc, &argv); }
  environment(environment const&) = delete;
  environment& operator=(environment const&) = delete;
  ~environment() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (owns_ && !finalized) MPI_Finalize();
  }

  /// Number of processes in MPI_COMM_WORLD.
  [[nodiscard]] std::size_t world_size() const {
    int n = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    return static_cast<std::size_t>(n);
  }
  /// This process's rank in MPI_COMM_WORLD.
  [[nodiscard]] std::size_t world_rank() const {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return static_cast<std::size_t>(r);
  }
  /// The thread support MPI provides (MPI_THREAD_SINGLE ... MPI_THREAD_MULTIPLE).
  [[nodiscard]] int thread_level() const noexcept { return provided_; }

 private:
  void init(int* argc, char*** argv) {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (finalized) throw std::logic_error("spmd: mpi::environment: MPI has already been finalized");
    if (initialized) {
      MPI_Query_thread(&provided_);
      return;
    }
    detail::check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided_), "MPI_Init_thread",
                  [] { return std::string("mpi::environment"); });
    owns_ = true;
  }

  bool owns_ = false;
  int provided_ = MPI_THREAD_SINGLE;
};

}  // namespace spmd::mpi
