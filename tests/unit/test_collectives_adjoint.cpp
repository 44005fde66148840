// Adjoint tests: for every collective, convert and reinterpret f with backward g,
// <y, f(x)> == <g(y), x> on the global meaning of random tensors, on every rank, for axes of
// size 2, 3 and 4 and on a 2x2 mesh (one axis, and both axes flattened).
// The rank-generic body is in tests/common/collectives_adjoint.hpp (the MPI tests run it too).
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include <cstddef>

#include <spmd/runtime/threads.hpp>

#include "../common/collectives_adjoint.hpp"

using namespace spmd;

namespace {

// A rank-generic body returning adjoint_counts, on every rank of a threads mesh; `per_rank` ops
// each (Catch macros are not thread-safe: count, assert after).
template <class Body>
void check_counts(std::vector<std::pair<std::string, std::size_t>> const& sizes, int per_rank, Body body) {
  std::atomic<int> checked{0};
  std::atomic<int> failed{0};
  threads::run(sizes, [&](threads::rank& r) {
    auto const counts = body(r);
    checked += counts.checked;
    failed += counts.failed;
  });
  CHECK(failed.load() == 0);
  std::size_t world = 1;
  for (auto const& [name, size] : sizes) world *= size;
  CHECK(checked.load() == static_cast<int>(static_cast<std::size_t>(per_rank) * world));
}

// Every op of the transition table on mesh axis `Axes` of `Mesh`, on every rank of a threads mesh.
template <class Mesh, fixed_string Axes>
void check_all_ops(std::vector<std::pair<std::string, std::size_t>> const& sizes) {
  check_counts(sizes, spmd_tests::adjoint_ops_per_rank,
               [](threads::rank& r) { return spmd_tests::adjoint_all_ops<Mesh, Axes>(r); });
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

namespace {

// `body.operator()<Mesh, Axes>(r)` (adjoint_counts of `per_rank` ops) on one axis of size 2, 3
// and 4, and on tp and the flattened (dp, tp) of a 2x3 mesh.
template <class Body>
void on_uneven_meshes(int per_rank, Body body) {
  using M = mesh<"dp", "tp">;
  for (std::size_t n : {2, 3, 4})
    check_counts({{"x", n}}, per_rank, [&](threads::rank& r) { return body.template operator()<mesh<"x">, "x">(r); });
  check_counts({{"dp", 2}, {"tp", 3}}, per_rank,
               [&](threads::rank& r) { return body.template operator()<M, "tp">(r); });
  check_counts({{"dp", 2}, {"tp", 3}}, per_rank,
               [&](threads::rank& r) { return body.template operator()<M, "dp,tp">(r); });
}

}  // namespace

TEST_CASE("collectives with uneven split sizes are adjoint to their backward with the same sizes",
          "[comm][adjoint][uneven]") {
  on_uneven_meshes(spmd_tests::adjoint_uneven_ops_per_rank, []<class Mesh, fixed_string Axes>(threads::rank& r) {
    return spmd_tests::adjoint_uneven_ops<Mesh, Axes>(r);
  });
}

TEST_CASE("autograd collectives take uneven split sizes: forward values and adjoint backward",
          "[autograd][adjoint][uneven]") {
  on_uneven_meshes(spmd_tests::autograd_uneven_ops_per_rank, []<class Mesh, fixed_string Axes>(threads::rank& r) {
    return spmd_tests::autograd_uneven_ops<Mesh, Axes>(r);
  });
}
