// The adjoint tests of every collective, convert and reinterpret (tests/common/
// collectives_adjoint.hpp, the same body the threads unit tests run) on the MPI runtime.
//   mpirun -np N adjoint        one axis "x" of size N
//   mpirun -np 4 adjoint 2x2    a (dp, tp) = 2x2 mesh: axis tp, axis dp, and both flattened
#include <string>

#include <spmd/runtime/mpi.hpp>

#include "../common/collectives_adjoint.hpp"
#include "mpi_test.hpp"

namespace {

template <class Mesh, spmd::fixed_string Axes>
void run_all_ops(spmd_mpi_tests::checker& c, spmd_mpi_tests::mesh_t const& mesh) {
  spmd::mpi::run(mesh, [&](spmd::mpi::rank& r) {
    auto const counts = spmd_tests::adjoint_all_ops<Mesh, Axes>(r);
    std::string const where = "ops on axes '" + std::string(Axes.view()) + "'";
    c.check(counts.checked == spmd_tests::adjoint_ops_per_rank, where + ": not every op was checked");
    c.record(counts.checked, counts.failed, where + ": ops not adjoint to their backward");
    // Uneven split sizes: the plain ops and the autograd ones.
    auto const uneven = spmd_tests::adjoint_uneven_ops<Mesh, Axes>(r);
    c.check(uneven.checked == spmd_tests::adjoint_uneven_ops_per_rank, where + ": not every uneven op was checked");
    c.record(uneven.checked, uneven.failed, where + ": ops with uneven split sizes not adjoint to their backward");
    auto const grads = spmd_tests::autograd_uneven_ops<Mesh, Axes>(r);
    c.check(grads.checked == spmd_tests::autograd_uneven_ops_per_rank,
            where + ": not every autograd op with uneven sizes was checked");
    c.record(grads.checked, grads.failed, where + ": autograd ops with uneven split sizes wrong");
  });
}

}  // namespace

int main(int argc, char** argv) {
  spmd::mpi::environment env(argc, argv);
  spmd_mpi_tests::checker c(spmd_mpi_tests::two_by_two(argc, argv) ? "mpi.adjoint_2x2" : "mpi.adjoint");
  if (spmd_mpi_tests::two_by_two(argc, argv)) {
    using M = spmd::mesh<"dp", "tp">;
    spmd_mpi_tests::mesh_t const mesh{{"dp", 2}, {"tp", 2}};
    run_all_ops<M, "tp">(c, mesh);
    run_all_ops<M, "dp">(c, mesh);
    run_all_ops<M, "dp,tp">(c, mesh);
  } else {
    run_all_ops<spmd::mesh<"x">, "x">(c, {{"x", env.world_size()}});
  }
  return c.report();
}
