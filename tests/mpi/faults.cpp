// Faults of the MPI runtime that must end the job with a clear message (run under
// tests/mpi/expect_failure.sh), or that run() must reject on every rank (checked here):
//   mpirun -np 2 faults shapes          typed all_reduce of [3, 2] and [2, 3] (SPMD_MPI_CHECK=1)
//   mpirun -np 2 faults gather_shapes   typed all_gather of [3, 2] and [2, 3] (SPMD_MPI_CHECK=1)
//   mpirun -np 2 faults convert         convert to S<0> with split sizes {3, 1} and {2, 2}
//                                       (SPMD_MPI_CHECK=1)
//   mpirun -np 4 faults order           tensors typed mesh<"dp","tp"> on the mesh {tp: 2, dp: 2}
//   mpirun -np 4 faults groups          ranks that create the flattened groups "a,b" and "b,c" in
//                                       opposite orders (SPMD_MPI_TIMEOUT ends the job)
//   mpirun -np 2 faults mesh_differs    rank 1 passes its axes in another order: run() throws
//                                       std::invalid_argument on every rank (exit 0 iff so)
//   mpirun -np 2 faults bad_timeout     SPMD_MPI_TIMEOUT=abc, and options::timeout_seconds = -1:
//                                       run() throws std::invalid_argument (exit 0 iff so)
//   mpirun -np 2 faults healthy         a healthy job (with SPMD_MPI_TIMEOUT=1e10 or inf: it
//                                       must run, exit 0)
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <spmd/runtime/mpi.hpp>

#include "../common/typed_faults.hpp"

namespace faults = spmd_tests::typed_faults;
using spmd::mpi::rank;

namespace {

int expect_invalid_argument(spmd::mpi::environment const& env, char const* mode,
                            std::vector<std::pair<std::string, std::size_t>> const& mesh, std::string const& expect) {
  bool ran = false;
  try {
    spmd::mpi::run(mesh, [&](rank&) { ran = true; });
  } catch (std::invalid_argument const& e) {
    bool const ok = !ran && std::string(e.what()).find(expect) != std::string::npos;
    std::printf("mpi.faults %s: rank %zu: %s: %s\n", mode, env.world_rank(), ok ? "PASSED" : "FAILED", e.what());
    return ok ? 0 : 1;
  }
  std::printf("mpi.faults %s: FAILED: no exception (ran = %d)\n", mode, ran ? 1 : 0);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view const mode = argc > 1 ? argv[1] : "";
  spmd::mpi::environment env(argc, argv);  // one MPI_Init for the several run() calls below
  std::size_t const n = env.world_size();
  if (mode == "mesh_differs") {
    std::vector<std::pair<std::string, std::size_t>> mesh{{"dp", 1}, {"tp", 2}};
    if (env.world_rank() == 1) mesh = {{"tp", 2}, {"dp", 1}};
    return expect_invalid_argument(
        env, "mesh_differs", mesh,
        "spmd: mpi::run: the ranks were given different meshes: rank 0 {dp: 1, tp: 2}, rank 1 {tp: 2, dp: 1}");
  }
  if (mode == "bad_timeout") {
    int const from_env = expect_invalid_argument(env, "bad_timeout", {{"x", n}},
                                                 "spmd: SPMD_MPI_TIMEOUT='abc' is not a number of seconds");
    // Set in code rather than in the environment: a negative timeout is rejected too.
    try {
      spmd::mpi::run(
          {{"x", n}}, [](rank&) {}, spmd::mpi::options{false, -1.0});
    } catch (std::invalid_argument const& e) {
      bool const ok = std::string(e.what()).find("options::timeout_seconds is -1") != std::string::npos;
      std::printf("mpi.faults bad_timeout (options): %s: %s\n", ok ? "PASSED" : "FAILED", e.what());
      return ok ? from_env : 1;
    }
    std::printf("mpi.faults bad_timeout (options): FAILED: no exception\n");
    return 1;
  }

  if (mode == "shapes") {
    spmd::mpi::run({{"x", n}}, [](rank& r) { faults::transposed_all_reduce(r); });
  } else if (mode == "gather_shapes") {
    spmd::mpi::run({{"x", n}}, [](rank& r) { faults::transposed_all_gather(r); });
  } else if (mode == "convert") {
    spmd::mpi::run({{"x", n}}, [](rank& r) { faults::inconsistent_convert(r); });
  } else if (mode == "order") {
    spmd::mpi::run({{"tp", 2}, {"dp", n / 2}}, [](rank& r) { faults::flattened_all_gather(r); });
  } else if (mode == "groups") {
    spmd::mpi::run({{"a", 2}, {"b", n / 2}, {"c", 1}}, [](rank& r) {
      if (r.index() == 0) {
        (void)r.comm({"b", "c"});
        (void)r.comm({"a", "b"});
      } else {
        (void)r.comm({"a", "b"});
        (void)r.comm({"b", "c"});
      }
    });
  } else if (mode == "healthy") {
    spmd::mpi::run({{"x", n}}, [](rank& r) {
      std::vector<double> v(10, 1.0);
      r.comm("x").all_reduce_sum(std::span<double>(v));
      if (v[0] != static_cast<double>(r.comm("x").size())) throw std::runtime_error("wrong sum");
    });
    std::printf("mpi.faults healthy: rank %zu: PASSED\n", env.world_rank());
    return 0;
  } else {
    std::fprintf(stderr, "usage: faults shapes|gather_shapes|convert|order|groups|mesh_differs|bad_timeout|healthy\n");
    return 2;
  }
  return 0;  // reaching this is the failure expect_failure.sh detects (exit 0)
}
