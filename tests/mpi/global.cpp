// The global view under mpirun: the same rank-generic bodies as the threads unit tests
// (tests/common/global_values.hpp): distribute / full_tensor round trips for every spec,
// redistribute between specs (even and uneven extents), and global ops against the serial ops.
//   mpirun -np 4 global 2x2     a (dp, tp) = 2x2 mesh
//   mpirun -np 6 global 2x3     a (dp, tp) = 2x3 mesh
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <spmd/runtime/mpi.hpp>

#include "../common/global_values.hpp"
#include "mpi_test.hpp"

namespace gv = spmd_tests::global_values;
using spmd_mpi_tests::checker;

int main(int argc, char** argv) {
  spmd::mpi::environment env(argc, argv);
  std::string const shape = argc > 1 ? argv[1] : "2x2";
  std::size_t const tp = shape == "2x3" ? 3 : 2;
  checker c("mpi.global_" + shape);
  spmd::mpi::run({{"dp", 2}, {"tp", tp}}, [&](spmd::mpi::rank& r) {
    c.record(gv::spec_count * 2, gv::wrong_round_trips(r), "distribute / full_tensor round trips with a wrong value");
    c.record(gv::redistribute_case_count * 2, gv::wrong_redistributions(r), "redistribute cases with a wrong value");
    c.record(gv::gradient_case_count * 2, gv::wrong_gradients(r), "gradients through redistribute that are wrong");
    c.record(10, gv::wrong_ops(r), "global ops that differ from the serial ops");
  });
  return c.report();
}
