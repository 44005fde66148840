// Adjoint tests: for every collective, convert and reinterpret f with backward g,
// <y, f(x)> == <g(y), x> on the global meaning of random tensors, on every rank, for axes of
// size 2, 3 and 4 and on a 2x2 mesh (one axis, and both axes flattened).
// The rank-generic body is in tests/common/collectives_adjoint.hpp (the MPI tests run it too).
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include <spmd/runtime/threads.hpp>

#include "../common/collectives_adjoint.hpp"

using namespace spmd;

namespace {

// Every op of the transition table on mesh axis `Axes` of `Mesh`, on every rank of a threads mesh.
template <class Mesh, fixed_string Axes>
void check_all_ops(std::vector<std::pair<std::string, std::size_t>> const& sizes) {
  std::atomic<int> checked{0};
  std::atomic<int> failed{0};
  threads::run(sizes, [&](threads::rank& r) {  // Catch macros are not thread-safe: count, assert after
    auto const counts = spmd_tests::adjoint_all_ops<Mesh, Axes>(r);
    checked += counts.checked;
    failed += counts.failed;
  });
  CHECK(failed.load() == 0);
  std::size_t world = 1;
  for (auto const& [name, size] : sizes) world *= size;
  CHECK(checked.load() == static_cast<int>(spmd_tests::adjoint_ops_per_rank * world));
}

}  // namespace

TEST_CASE("collectives are adjoint to their backward: one axis of size 2, 3, 4", "[comm][adjoint]") {
  check_all_ops<mesh<"x">, "x">({{"x", 2}});
  check_all_ops<mesh<"x">, "x">({{"x", 3}});
  check_all_ops<mesh<"x">, "x">({{"x", 4}});
}

TEST_CASE("collectives are adjoint to their backward: a 2x2 mesh, per axis and flattened", "[comm][adjoint]") {
  using M = mesh<"dp", "tp">;
  check_all_ops<M, "tp">({{"dp", 2}, {"tp", 2}});
  check_all_ops<M, "dp">({{"dp", 2}, {"tp", 2}});
  check_all_ops<M, "dp,tp">({{"dp", 2}, {"tp", 2}});
}
