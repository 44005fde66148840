// A rank whose function throws ends the whole job: it prints "spmd: rank 1 failed: <what>" and
// calls MPI_Abort, so mpirun exits non-zero while the other ranks wait in a collective that can
// never complete. Run under tests/mpi/expect_failure.sh, which fails if mpirun exits 0 or hangs.
//   mpirun -np N rank_failure             rank 1 throws std::runtime_error
//   mpirun -np N rank_failure finish      rank 1 returns early; the others wait in all_reduce_sum
//                                         (set SPMD_MPI_TIMEOUT: the watchdog aborts the job)
#include <cstdio>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <spmd/runtime/mpi.hpp>

int main(int argc, char** argv) {
  bool const finish = argc > 1 && std::string_view(argv[1]) == "finish";
  spmd::mpi::environment env(argc, argv);
  spmd::mpi::run({{"x", env.world_size()}}, [&](spmd::mpi::rank& r) {
    std::vector<double> v(1000, 1.0);
    r.comm("x").all_reduce_sum(std::span<double>(v));  // everyone is up
    if (r.index() == 1) {
      if (finish) return;  // never joins the next collective
      throw std::runtime_error("boom: rank 1 gave up");
    }
    r.comm("x").all_reduce_sum(std::span<double>(v));  // waits for rank 1 forever
    std::printf("rank %zu: the second all_reduce_sum completed without rank 1 (bug)\n", r.index());
  });
  return 0;  // reaching this is the failure the checker detects (exit 0)
}
