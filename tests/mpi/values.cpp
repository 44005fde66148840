// The forward-value tests of the typed collectives, converts and reinterprets (tests/common/
// collectives_values.hpp, the same bodies the threads unit tests run) on the MPI runtime, and the
// faults of typed calls: an extent that does not split evenly (comm_error on every rank) and
// ranks that disagree about a split (comm_error on every rank with the agreement check).
//   mpirun -np N values        one axis "tp" of size N (N >= 2)
//   mpirun -np 4 values 2x2    a (dp, tp) = 2x2 mesh: the same bodies on each tp group, the
//                              flattened (dp, tp) group, and redistribute between 2-axis layouts
#include <stdexcept>
#include <string>
#include <vector>

#include <spmd/runtime/mpi.hpp>

#include "../common/collectives_values.hpp"
#include "../common/redistribute_values.hpp"
#include "mpi_test.hpp"

namespace v = spmd_tests::values;
using spmd_mpi_tests::checker;
using spmd_mpi_tests::mesh_t;

namespace {

// Uneven splits for n ranks: the threads tests' {1, 3, 2} and {2, 1, 3, 1}, cut or extended.
std::vector<std::size_t> lens_from(std::vector<std::size_t> const& pattern, std::size_t n) {
  std::vector<std::size_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = pattern[i % pattern.size()];
  return out;
}

void forward_values(checker& c, mesh_t const& mesh) {
  spmd::mpi::run(mesh, [&](spmd::mpi::rank& r) {
    std::size_t const n = r.axis_size("tp");
    c.check(v::all_reduce_ok(r), "all_reduce");
    c.check(v::reduce_scatter_ok(r, lens_from({1, 3, 2}, n)), "reduce_scatter");
    c.check(v::all_gather_ok(r, lens_from({2, 1, 3, 1}, n)), "all_gather");
    c.check(v::into_ok(r, lens_from({2, 1, 3}, n)), "all_gather_into / reduce_scatter_into");
    c.check(v::all_to_all_ok(r), "all_to_all");
    c.check(v::convert_ok(r), "convert");
    c.check(v::reinterpret_ok(), "reinterpret");
  });
}

void flattened(checker& c, mesh_t const& mesh) {
  spmd::mpi::run(mesh, [&](spmd::mpi::rank& r) { c.check(v::flattened_order_ok(r), "flattened (dp, tp) order"); });
}

// Every change between layouts of R, P, S<0>, S<1> on a (dp, tp) mesh keeps the global value.
void redistribute(checker& c, mesh_t const& mesh) {
  spmd::mpi::run(mesh, [&](spmd::mpi::rank& r) {
    c.record(spmd_tests::redistribution::pairs, spmd_tests::redistribution::wrong_pairs(r),
             "redistribute: pairs of layouts with a wrong value");
    c.record(spmd_tests::redistribution::uneven_round_trips, spmd_tests::redistribution::wrong_uneven_round_trips(r),
             "redistribute with uneven split sizes: round trips with a wrong value");
  });
}

void faults(checker& c, mesh_t const& mesh) {
  // Always checked (each rank's own arguments): every rank throws the same error.
  spmd::mpi::run(mesh, [&](spmd::mpi::rank& r) {
    std::string const n = std::to_string(r.axis_size("tp"));
    c.expect_throw<spmd::comm_error>([&] { v::reduce_scatter_uneven_without_sizes(r); },
                                     "does not split evenly over " + n + " ranks; pass the per-rank split sizes",
                                     "uneven extent without split sizes");
    c.expect_throw<std::invalid_argument>([&] { v::all_gather_into_wrong_shape(r); }, "the output tensor has shape",
                                          "all_gather_into with an output of the wrong shape");
  });
  // Ranks that disagree: with the agreement check, comm_error on every rank, naming rank 1.
  spmd::mpi::options checked;
  checked.check_agreement = true;
  spmd::mpi::run(
      mesh,
      [&](spmd::mpi::rank& r) {
        c.expect_throw<spmd::comm_error>([&] { v::all_gather_with_disagreeing_split(r); },
                                         "on group 'tp': rank 1 (tp=1", "disagreeing split sizes");
        c.expect_throw<spmd::comm_error>([&] { v::all_gather_with_disagreeing_split(r); }, "passed split sizes [2, 2",
                                         "disagreeing split sizes, in split sizes");
        c.expect_throw<spmd::comm_error>([&] { v::reduce_scatter_with_disagreeing_split(r); },
                                         v::reduce_scatter_with_disagreeing_split_message,
                                         "reduce_scatter: disagreeing split sizes");
        c.expect_throw<spmd::comm_error>([&] { v::all_gather_uneven_without_sizes(r); },
                                         v::all_gather_uneven_without_sizes_message,
                                         "all_gather: uneven shards without split sizes");
        c.expect_throw<spmd::comm_error>([&] { v::all_gather_other_dim_differs(r); },
                                         v::all_gather_other_dim_differs_message,
                                         "all_gather: shards that differ in another dim");
        c.expect_throw<spmd::comm_error>([&] { v::all_to_all_with_disagreeing_dst_split(r); },
                                         v::all_to_all_with_disagreeing_dst_split_message,
                                         "all_to_all: disagreeing dst split sizes");
        // The group is still usable afterwards.
        c.check(v::all_reduce_ok(r), "all_reduce after a caught mismatch");
      },
      checked);
}

}  // namespace

int main(int argc, char** argv) {
  spmd::mpi::environment env(argc, argv);
  bool const grid = spmd_mpi_tests::two_by_two(argc, argv);
  checker c(grid ? "mpi.values_2x2" : "mpi.values");
  if (grid) {
    mesh_t const mesh{{"dp", 2}, {"tp", 2}};
    forward_values(c, mesh);
    flattened(c, mesh);
    redistribute(c, mesh);
    faults(c, mesh);
  } else {
    std::size_t const n = env.world_size();
    forward_values(c, {{"tp", n}});
    flattened(c, {{"dp", 1}, {"tp", n}});
    faults(c, {{"tp", n}});
  }
  return c.report();
}
