// spmd/ops/view.hpp - typed shape ops: transpose, reshape, unsqueeze, squeeze, concat.
#pragma once

#include <array>
#include <cstddef>
#include <utility>

#include <spmd/ops/elementwise.hpp>

namespace spmd {

/// Swaps tensor dims `A` and `B` (linear). An S on either dim moves with it.
template <int A, int B, typed_tensor T>
auto transpose(T&& x) {
  constexpr auto rank = detail::bare<T>::rank;
  static_assert(detail::dim_in_range<A, rank> && detail::dim_in_range<B, rank>,
                "spmd: transpose<A, B>: A and B must be dims of the tensor");
  return detail::apply_unary<op::transpose, rules::swap_dims<A, B>>(
      detail::kernel::transpose_fn{}, std::forward<T>(x), static_cast<std::size_t>(A), static_cast<std::size_t>(B));
}

/// Gives the local piece the extents `shape` (linear). Extents are run-time values, so the type
/// cannot tell which dim survives: an S<d> becomes a plain V.
template <typed_tensor T, std::size_t NewRank>
auto reshape(T&& x, std::array<std::size_t, NewRank> const& shape) {
  return detail::apply_unary<op::reshape, rules::reshape_dims>(detail::kernel::reshape_fn{}, std::forward<T>(x), shape);
}

/// Inserts a dim of extent 1 at `Dim` (linear). S on a later dim is renumbered.
template <int Dim, typed_tensor T>
auto unsqueeze(T&& x) {
  static_assert(Dim >= 0 && static_cast<std::size_t>(Dim) <= detail::bare<T>::rank,
                "spmd: unsqueeze<Dim>: Dim must be at most the rank of the tensor");
  return detail::apply_unary<op::unsqueeze, rules::unsqueeze_dims<Dim>>(detail::kernel::unsqueeze_fn{},
                                                                        std::forward<T>(x), static_cast<std::size_t>(Dim));
}

/// Removes dim `Dim`, whose extent must be 1 (linear). S on a later dim is renumbered.
template <int Dim, typed_tensor T>
auto squeeze(T&& x) {
  static_assert(detail::dim_in_range<Dim, detail::bare<T>::rank>, "spmd: squeeze<Dim>: Dim must be a dim of the tensor");
  return detail::apply_unary<op::squeeze, rules::squeeze_dims<Dim>>(detail::kernel::squeeze_fn{}, std::forward<T>(x),
                                                                    static_cast<std::size_t>(Dim));
}

/// Concatenates a and b along tensor dim `Dim` (linear: both P, or neither). Shards along `Dim`
/// no longer line up (the result is a plain V); shards along other dims are kept.
template <int Dim, typed_tensor A, typed_tensor B>
auto concat(A&& a, B&& b) {
  static_assert(detail::dim_in_range<Dim, detail::bare<A>::rank>, "spmd: concat<Dim>: Dim must be a dim of the tensors");
  return detail::apply_binary<op::concat, rules::concat_dims<Dim>>(detail::kernel::concat_fn{}, std::forward<A>(a),
                                                                   std::forward<B>(b), static_cast<std::size_t>(Dim));
}

}  // namespace spmd
