// Ndim-generic body of the adjoint tests, shared by the threads runtime's unit tests
// (tests/unit/test_collectives_adjoint.cpp) and the MPI tests (tests/mpi/): for every collective,
// convert and reinterpret f with backward g, <y, f(x)> == <g(y), x> on the global meaning of
// random tensors. No test framework here: the body returns counts and the caller asserts.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include <spmd/autograd.hpp>
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
                       typename adjoint_detail::all_v_impl<Mesh, std::make_index_sequence<Mesh::axis_count>>::type>,
    Axes, X>;

// Runs f = Op and its backward on random data; returns |<y,f(x)> - <g(y),x>| / scale. With split
// sizes: f runs with `sizes` (all_to_all: src, dst), g = its backward with the same sizes
// (comm::apply_backward, which autograd runs).
template <class Op, class In, class Rank>
double adjoint_gap(Rank& r, std::array<std::size_t, 2> in_shape, std::uint64_t seed,
                   std::vector<std::size_t> const& sizes = {}, std::vector<std::size_t> const& dst_sizes = {}) {
  using namespace spmd;
  auto const x = testing::random_tensor<In>(r, in_shape, seed);
  auto const fx = [&] {
    if constexpr (comm::detail::is_all_to_all<Op>)
      return Op::apply(r, x, sizes, dst_sizes);
    else
      return Op::apply(r, x, sizes);
  }();
  using Out = std::remove_cvref_t<decltype(fx)>;
  auto const y = testing::random_tensor<grad_t<Out>>(r, fx.local().shape(), seed + 1);
  auto const gy = comm::apply_backward<Op>(r, y, sizes, dst_sizes);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(gy)>, grad_t<In>>);
  double const lhs = testing::global_inner_product(r, fx, y);
  double const rhs = testing::global_inner_product(r, x, gy);
  return std::fabs(lhs - rhs) / (1.0 + std::fabs(lhs));
}

// What one rank saw: how many ops it checked, and how many of them were not adjoint.
struct adjoint_counts {
  int checked = 0;
  int failed = 0;
  void count(bool ok) {
    ++checked;
    if (!ok) ++failed;
  }
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
  auto check = [&](double gap) { out.count(gap < 1e-10); };
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

// Uneven splits. Per-rank extents of a group of n along a split dim: 1, 2, 3, 1, 2, ... (shifted
// by `shift`, so that two splits differ).
inline std::vector<std::size_t> uneven_sizes(std::size_t n, std::size_t shift) {
  std::vector<std::size_t> lens(n);
  for (std::size_t i = 0; i < n; ++i) lens[i] = (i + shift) % 3 + 1;
  return lens;
}

inline std::size_t total_of(std::vector<std::size_t> const& lens) {
  std::size_t t = 0;
  for (auto l : lens) t += l;
  return t;
}

// Number of ops adjoint_uneven_ops checks on each rank.
inline constexpr int adjoint_uneven_ops_per_rank = 12;

// Every op that splits or gathers, with uneven split sizes on the axes `Axes`.
template <class Mesh, spmd::fixed_string Axes, spmd::rank_context Rank>
adjoint_counts adjoint_uneven_ops(Rank& r) {
  using namespace spmd;
  using namespace spmd::comm;
  adjoint_counts out;
  auto check = [&](double gap) { out.count(gap < 1e-10); };
  auto& group = group_of<Axes>(r);
  std::size_t const n = group.size(), me = group.rank();
  auto const a = uneven_sizes(n, 0), b = uneven_sizes(n, 1);
  std::size_t const ta = total_of(a), tb = total_of(b);
  check(adjoint_gap<all_gather_op<Axes, S<0>, R>, in_t<Mesh, Axes, S<0>>>(r, {a[me], 3}, 101, a));
  check(adjoint_gap<all_gather_op<Axes, S<1>, R>, in_t<Mesh, Axes, S<1>>>(r, {2, a[me]}, 102, a));
  check(adjoint_gap<all_gather_op<Axes, S<0>, I>, in_t<Mesh, Axes, S<0>>>(r, {a[me], 3}, 103, a));
  check(adjoint_gap<all_gather_op<Axes, V, R, 1>, in_t<Mesh, Axes, V>>(r, {2, a[me]}, 104, a));
  check(adjoint_gap<reduce_scatter_op<Axes, P, S<0>>, in_t<Mesh, Axes, P>>(r, {ta, 3}, 105, a));
  check(adjoint_gap<reduce_scatter_op<Axes, V, S<1>>, in_t<Mesh, Axes, V>>(r, {2, ta}, 106, a));
  check(adjoint_gap<all_to_all_op<Axes, S<0>, S<1>>, in_t<Mesh, Axes, S<0>>>(r, {a[me], tb}, 107, a, b));
  check(adjoint_gap<all_to_all_op<Axes, S<1>, S<0>>, in_t<Mesh, Axes, S<1>>>(r, {tb, a[me]}, 108, a, b));
  check(adjoint_gap<convert_op<Axes, R, S<0>>, in_t<Mesh, Axes, R>>(r, {ta, 3}, 109, a));
  check(adjoint_gap<convert_op<Axes, I, S<1>>, in_t<Mesh, Axes, I>>(r, {2, ta}, 110, a));
  check(adjoint_gap<convert_op<Axes, S<0>, P>, in_t<Mesh, Axes, S<0>>>(r, {a[me], 3}, 111, a));
  check(adjoint_gap<convert_op<Axes, S<1>, P>, in_t<Mesh, Axes, S<1>>>(r, {2, a[me]}, 112, a));
  return out;
}

// The autograd version of an op with split sizes: forward equals the plain op's value, and the
// gradient it gives x from an output gradient y (seeded directly on the output) satisfies
// <y, f(x)> == <grad x, x>. `f(var)` runs the autograd op; `plain(tensor)` the plain one.
template <class In, class Rank, class F, class Plain>
bool autograd_adjoint_ok(Rank& r, std::array<std::size_t, 2> in_shape, std::uint64_t seed, F f, Plain plain) {
  using namespace spmd;
  auto const x = testing::random_tensor<In>(r, in_shape, seed);
  autograd::tape t;
  autograd::parameter<In> px{x};
  auto const out = f(px.on(t));
  using Out = typename std::remove_cvref_t<decltype(out)>::tensor_type;
  auto const y = testing::random_tensor<grad_t<Out>>(r, out.value().local().shape(), seed + 1);
  out.accumulate(y);
  t.run_backward();
  double const lhs = testing::global_inner_product(r, out.value(), y);
  double const rhs = testing::global_inner_product(r, x, px.grad());
  return out.value().local() == plain(x).local() && std::fabs(lhs - rhs) / (1.0 + std::fabs(lhs)) < 1e-10;
}

// Number of ops autograd_uneven_ops checks on each rank.
inline constexpr int autograd_uneven_ops_per_rank = 6;

// autograd::all_gather, reduce_scatter, all_to_all and convert with uneven split sizes on `Axes`.
template <class Mesh, spmd::fixed_string Axes, spmd::rank_context Rank>
adjoint_counts autograd_uneven_ops(Rank& r) {
  using namespace spmd;
  adjoint_counts out;
  auto check = [&](bool ok) { out.count(ok); };
  auto& group = comm::group_of<Axes>(r);
  std::size_t const n = group.size(), me = group.rank();
  auto const a = uneven_sizes(n, 0), b = uneven_sizes(n, 1);
  std::size_t const ta = total_of(a), tb = total_of(b);
  // Spans of copies that die before backward runs: the recorded backward must own its sizes.
  auto once = [](std::vector<std::size_t> const& v) { return std::make_shared<std::vector<std::size_t>>(v); };
  check(autograd_adjoint_ok<in_t<Mesh, Axes, S<0>>>(
      r, {a[me], 3}, 201, [&](auto const& v) { return autograd::all_gather<Axes, R>(r, v, *once(a)); },
      [&](auto const& x) { return all_gather<Axes, R>(r, x, a); }));
  check(autograd_adjoint_ok<in_t<Mesh, Axes, S<1>>>(
      r, {2, a[me]}, 202, [&](auto const& v) { return autograd::all_gather<Axes, I>(r, v, *once(a)); },
      [&](auto const& x) { return all_gather<Axes, I>(r, x, a); }));
  check(autograd_adjoint_ok<in_t<Mesh, Axes, P>>(
      r, {ta, 3}, 203, [&](auto const& v) { return autograd::reduce_scatter<Axes, 0>(r, v, *once(a)); },
      [&](auto const& x) { return reduce_scatter<Axes, 0>(r, x, a); }));
  check(autograd_adjoint_ok<in_t<Mesh, Axes, S<0>>>(
      r, {a[me], tb}, 204, [&](auto const& v) { return autograd::all_to_all<Axes, S<1>>(r, v, *once(a), *once(b)); },
      [&](auto const& x) { return all_to_all<Axes, S<1>>(r, x, a, b); }));
  check(autograd_adjoint_ok<in_t<Mesh, Axes, R>>(
      r, {ta, 3}, 205, [&](auto const& v) { return autograd::convert<Axes, R, S<0>>(r, v, *once(a)); },
      [&](auto const& x) { return convert<Axes, R, S<0>>(r, x, a); }));
  check(autograd_adjoint_ok<in_t<Mesh, Axes, S<1>>>(
      r, {2, a[me]}, 206, [&](auto const& v) { return autograd::convert<Axes, S<1>, P>(r, v, expert, *once(a)); },
      [&](auto const& x) { return convert<Axes, S<1>, P>(r, x, expert, a); }));
  return out;
}

}  // namespace spmd_tests
