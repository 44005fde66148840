// A mesh whose size differs from the world size: mpi::run throws std::invalid_argument on every
// rank, naming both numbers, and (having initialised MPI itself) finalizes MPI first, so the
// program can report it and exit normally.
//   mpirun -np 3 mesh_mismatch            the mesh is {dp: 2, tp: 2}: 4 ranks
#include <cstdio>
#include <stdexcept>
#include <string>

#include <spmd/runtime/mpi.hpp>

int main() {
  bool ran = false;
  try {
    spmd::mpi::run({{"dp", 2}, {"tp", 2}}, [&](spmd::mpi::rank&) { ran = true; });
  } catch (std::invalid_argument const& e) {
    std::string const what = e.what();
    std::string const expect = "spmd: mpi::run: the mesh {dp: 2, tp: 2} has 4 ranks but MPI_COMM_WORLD has 3 processes";
    int finalized = 0;
    MPI_Finalized(&finalized);
    bool const ok = what.find(expect) != std::string::npos && what.find("mpirun -np 4") != std::string::npos &&
                    finalized != 0 && !ran;
    std::printf("mpi.mesh_mismatch: %s: %s\n", ok ? "PASSED" : "FAILED", what.c_str());
    return ok ? 0 : 1;
  }
  std::printf("mpi.mesh_mismatch: FAILED: no exception (ran = %d)\n", ran ? 1 : 0);
  return 1;
}
