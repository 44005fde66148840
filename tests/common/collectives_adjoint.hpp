// Rank-generic body of the adjoint tests, shared by the threads runtime's unit tests
// (tests/unit/test_collectives_adjoint.cpp) and the MPI tests (tests/mpi/): for every collective,
// convert and reinterpret f with backward g, <y, f(x)> == <g(y), x> on the global meaning of
// random tensors. No test framework here: the body returns counts and the caller asserts.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/testing/global.hpp>

namespace spmd_tests {

using AdjointMat = spmd::local::dense<double, 2>;

namespace adjoint_detail {
template <class Mesh, class Indices>
struct all_v_impl;
template <class Mesh, std::size_t... Is>
struct all_v_impl<Mesh, std::index_sequence<Is...>> {
  using type = spmd::layout<std::conditional_t<(Is >= 0), spmd::V, void>...>;
};
}  // namespace adjoint_detail

// A tensor type whose placement is X on the axes `Axes` and V on the others.
template <class Mesh, spmd::fixed_string Axes, class X>
using in_t = spmd::comm::with_placement_t<
    spmd::basic_tensor<AdjointMat, Mesh,
                       typename adjoint_detail::all_v_impl<Mesh, std::make_index_sequence<Mesh::rank>>::type>,
    Axes, X>;

// Runs f = Op and its backward on random data; returns |<y,f(x)> - <g(y),x>| / scale.
template <class Op, class In, class Rank>
double adjoint_gap(Rank& r, std::array<std::size_t, 2> in_shape, std::uint64_t seed) {
  using namespace spmd;
  auto const x = testing::random_tensor<In>(r, in_shape, seed);
  auto const fx = Op::apply(r, x);
  using Out = std::remove_cvref_t<decltype(fx)>;
  auto const y = testing::random_tensor<grad_t<Out>>(r, fx.local().shape(), seed + 1);
  auto const gy = comm::backward_t<Op>::apply(r, y);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(gy)>, grad_t<In>>);
  double const lhs = testing::global_inner_product(r, fx, y);
  double const rhs = testing::global_inner_product(r, x, gy);
  return std::fabs(lhs - rhs) / (1.0 + std::fabs(lhs));
}

// What one rank saw: how many ops it checked, and how many of them were not adjoint.
struct adjoint_counts {
  int checked = 0;
  int failed = 0;
};

// Number of ops adjoint_all_ops checks on each rank.
inline constexpr int adjoint_ops_per_rank = 33;

// Every op of the transition table on mesh axis `Axes` of `Mesh`; the other axes (if any) are V.
// Run by every rank of the mesh.
template <class Mesh, spmd::fixed_string Axes, spmd::rank_context Rank>
adjoint_counts adjoint_all_ops(Rank& r) {
  using namespace spmd;
  using namespace spmd::comm;
  adjoint_counts out;
  std::size_t n = 1;
  for (auto name : axis_list<Axes>::names) n *= r.axis_size(name);
  auto check = [&](double gap) {
    ++out.checked;
    if (!(gap < 1e-10)) ++out.failed;
  };
  std::array<std::size_t, 2> const whole{2 * n, 3 * n}, piece{2, 3};
  // Reductions.
  check(adjoint_gap<all_reduce_op<Axes, P, R>, in_t<Mesh, Axes, P>>(r, whole, 1));
  check(adjoint_gap<all_reduce_op<Axes, P, I>, in_t<Mesh, Axes, P>>(r, whole, 2));
  check(adjoint_gap<all_reduce_op<Axes, V, R>, in_t<Mesh, Axes, V>>(r, whole, 3));
  check(adjoint_gap<all_reduce_op<Axes, V, I>, in_t<Mesh, Axes, V>>(r, whole, 4));
  check(adjoint_gap<reduce_scatter_op<Axes, V, S<1>>, in_t<Mesh, Axes, V>>(r, whole, 5));
  check(adjoint_gap<reduce_scatter_op<Axes, P, S<0>>, in_t<Mesh, Axes, P>>(r, whole, 6));
  check(adjoint_gap<reduce_scatter_op<Axes, P, S<1>>, in_t<Mesh, Axes, P>>(r, whole, 7));
  check(adjoint_gap<reduce_scatter_op<Axes, V, S<0>>, in_t<Mesh, Axes, V>>(r, whole, 8));
  // Gathers and all_to_all.
  check(adjoint_gap<all_gather_op<Axes, S<0>, R>, in_t<Mesh, Axes, S<0>>>(r, piece, 9));
  check(adjoint_gap<all_gather_op<Axes, S<1>, R>, in_t<Mesh, Axes, S<1>>>(r, piece, 10));
  check(adjoint_gap<all_gather_op<Axes, S<0>, I>, in_t<Mesh, Axes, S<0>>>(r, piece, 11));
  check(adjoint_gap<all_gather_op<Axes, S<1>, I>, in_t<Mesh, Axes, S<1>>>(r, piece, 12));
  check(adjoint_gap<all_gather_op<Axes, V, R, 1>, in_t<Mesh, Axes, V>>(r, piece, 13));
  check(adjoint_gap<all_gather_op<Axes, V, I, 0>, in_t<Mesh, Axes, V>>(r, piece, 14));
  check(adjoint_gap<all_to_all_op<Axes, S<0>, S<1>>, in_t<Mesh, Axes, S<0>>>(r, {2, 3 * n}, 15));
  check(adjoint_gap<all_to_all_op<Axes, S<1>, S<0>>, in_t<Mesh, Axes, S<1>>>(r, {2 * n, 3}, 16));
  // Converts.
  check(adjoint_gap<convert_op<Axes, R, I>, in_t<Mesh, Axes, R>>(r, whole, 17));
  check(adjoint_gap<convert_op<Axes, I, R>, in_t<Mesh, Axes, I>>(r, whole, 18));
  check(adjoint_gap<convert_op<Axes, R, S<0>>, in_t<Mesh, Axes, R>>(r, whole, 19));
  check(adjoint_gap<convert_op<Axes, R, S<1>>, in_t<Mesh, Axes, R>>(r, whole, 20));
  check(adjoint_gap<convert_op<Axes, I, S<0>>, in_t<Mesh, Axes, I>>(r, whole, 21));
  check(adjoint_gap<convert_op<Axes, I, S<1>>, in_t<Mesh, Axes, I>>(r, whole, 22));
  check(adjoint_gap<convert_op<Axes, R, P>, in_t<Mesh, Axes, R>>(r, whole, 23));
  check(adjoint_gap<convert_op<Axes, I, P>, in_t<Mesh, Axes, I>>(r, whole, 24));
  check(adjoint_gap<convert_op<Axes, S<0>, P>, in_t<Mesh, Axes, S<0>>>(r, piece, 25));
  check(adjoint_gap<convert_op<Axes, S<1>, P>, in_t<Mesh, Axes, S<1>>>(r, piece, 26));
  check(adjoint_gap<convert_op<Axes, V, S<1>>, in_t<Mesh, Axes, V>>(r, piece, 27));
  // Reinterprets.
  check(adjoint_gap<reinterpret_op<Axes, R, V>, in_t<Mesh, Axes, R>>(r, whole, 28));
  check(adjoint_gap<reinterpret_op<Axes, I, V>, in_t<Mesh, Axes, I>>(r, whole, 29));
  check(adjoint_gap<reinterpret_op<Axes, V, P>, in_t<Mesh, Axes, V>>(r, whole, 30));
  check(adjoint_gap<reinterpret_op<Axes, R, P>, in_t<Mesh, Axes, R>>(r, whole, 31));
  check(adjoint_gap<reinterpret_op<Axes, R, I>, in_t<Mesh, Axes, R>>(r, whole, 32));
  check(adjoint_gap<reinterpret_op<Axes, I, R>, in_t<Mesh, Axes, I>>(r, whole, 33));
  return out;
}

}  // namespace spmd_tests
