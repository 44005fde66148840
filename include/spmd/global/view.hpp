// spmd/global/view.hpp - the even-only views of a sharded dim: flatten_even and split_even.
//
// A local reshape of a sharded dim is the global reshape only when every rank's block is the
// same length: with uneven blocks the element boundaries move (docs/global.md, "Uneven shards").
// So reshape, concat and narrow refuse a sharded dim (global/propagate.hpp), and these two say
// in their name that they need even shards, and check it.
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <spmd/core/meta.hpp>
#include <spmd/global/plan.hpp>
#include <spmd/global/spec.hpp>
#include <spmd/global/tensor.hpp>
#include <spmd/ops/view.hpp>
#include <spmd/runtime/communicator.hpp>

namespace spmd::global {

namespace detail {
/// The spec entries of `X` with dims renumbered: `Merge` (dims Dim and Dim + 1 become one) or a
/// split (dim Dim becomes Dim and a new whole Dim + 1).
template <class X, int Dim, bool Merge>
struct reshaped_entries {
  static constexpr auto value = [] {
    auto a = type_entries<X>::value;
    for (auto& e : a)
      if (e.dim > Dim) e.dim += Merge ? -1 : 1;
    return a;
  }();
};

template <class Local, std::size_t N>
auto reshaped_local(Local const& x, std::array<std::size_t, N> const& shape) {
  return spmd::detail::kernel::reshape_fn{}(x, shape);
}
template <class X, int Dim, bool Merge>
struct reshaped {
  static constexpr std::size_t ndim = X::ndim + 1 - (Merge ? 2 : 0);
  using local_type =
      decltype(reshaped_local(std::declval<typename X::local_type const&>(), std::array<std::size_t, ndim>{}));
  using form = canonical<typename X::mesh_type, ndim, reshaped_entries<X, Dim, Merge>::value>;
  using type = basic_global_tensor<basic_tensor<local_type, typename X::mesh_type, typename form::layout_type>,
                                   typename form::spec_type>;
};
/// The global tensor `X` after merging (`Merge`) or splitting dim `Dim`.
template <class X, int Dim, bool Merge>
using reshaped_t = typename reshaped<X, Dim, Merge>::type;

/// The number of blocks dim `d` of `X` is cut into (the product of its axes' sizes).
template <class X, class Rank>
std::size_t blocks_along(Rank& r, int d) {
  using mesh = typename X::mesh_type;
  constexpr auto axes = type_entries<X>::value;
  std::size_t n = 1;
  for (std::size_t k = 0; k < mesh::axis_count; ++k)
    if (axes[k].dim == d) n *= r.axis_size(mesh::names[k]);
  return n;
}

/// `x` reshaped to `Out`: dim `Dim` of the global extents and of the local piece merged with the
/// next (`Merge`) or split into [extent / inner, inner]; the other dims as they are.
template <class Out, int Dim, bool Merge, class X>
Out reshaped_even(X const& x, std::size_t inner) {
  auto const& e = x.global_shape();
  typename Out::extents_type out_extents{};
  std::array<std::size_t, Out::ndim> local_shape{};
  for (std::size_t d = 0, o = 0; d < X::ndim; ++d, ++o) {
    out_extents[o] = e[d];
    local_shape[o] = static_cast<std::size_t>(x.shape()[d]);
    if (d != static_cast<std::size_t>(Dim)) continue;
    if constexpr (Merge) {
      out_extents[o] *= e[d + 1];
      local_shape[o] *= static_cast<std::size_t>(x.shape()[++d]);
    } else {
      out_extents[o] /= inner;
      local_shape[o] /= inner;
      out_extents[++o] = inner;
      local_shape[o] = inner;
    }
  }
  return Out{typename Out::tensor_type(reshaped_local(x.local(), local_shape)), out_extents};
}

}  // namespace detail

/// Merges dims `Dim` and `Dim + 1` of `x` into one, sharded as dim `Dim` was (row-major). Dim
/// `Dim + 1` must be whole; dim `Dim`'s extent must divide evenly over its axes (else
/// std::invalid_argument).
template <int Dim, rank_context Rank, spmd::global_typed_tensor T>
auto flatten_even(Rank& r, T const& x) {
  using X = std::remove_cvref_t<T>;
  static_assert(Dim >= 0 && static_cast<std::size_t>(Dim) + 1 < X::ndim,
                "spmd: global::flatten_even<Dim>: Dim and Dim + 1 must be dims of the tensor");
  constexpr bool inner_whole = [] {
    for (auto const& e : detail::type_entries<X>::value)
      if (e.dim == Dim + 1) return false;
    return true;
  }();
  static_assert(inner_whole,
                "spmd: global::flatten_even<Dim>: dim Dim + 1 is sharded; only the outer dim of a flattened pair "
                "may be (gather the inner one first with global::redistribute)");
  static_assert(std::is_same_v<typename X::inner_type, typename X::tensor_type>,
                "spmd: global::flatten_even takes a global tensor, not a variable (it has no backward yet)");
  if constexpr (!inner_whole || !std::is_same_v<typename X::inner_type, typename X::tensor_type>) {
    return x;  // after the diagnostic
  } else {
    using Out = detail::reshaped_t<X, Dim, true>;
    auto const& e = x.global_shape();
    std::size_t const n = detail::blocks_along<X>(r, Dim);
    if (e[Dim] % n != 0)
      throw std::invalid_argument("spmd: global::flatten_even<" + std::to_string(Dim) + ">: the global extent " +
                                  std::to_string(e[Dim]) + " does not divide evenly over " + std::to_string(n) +
                                  " blocks; redistribute to whole first, or flatten after padding");
    return detail::reshaped_even<Out, Dim, true>(x, 1);
  }
}

/// Splits dim `Dim` of `x` into [extent / inner, inner], the new outer dim sharded as `Dim` was
/// and the inner one whole. The extent must divide by `inner` and the outer extent evenly over
/// `Dim`'s axes (else std::invalid_argument).
template <int Dim, rank_context Rank, spmd::global_typed_tensor T>
auto split_even(Rank& r, T const& x, std::size_t inner) {
  using X = std::remove_cvref_t<T>;
  static_assert(Dim >= 0 && static_cast<std::size_t>(Dim) < X::ndim,
                "spmd: global::split_even<Dim>: Dim must be a dim of the tensor");
  static_assert(std::is_same_v<typename X::inner_type, typename X::tensor_type>,
                "spmd: global::split_even takes a global tensor, not a variable (it has no backward yet)");
  if constexpr (!std::is_same_v<typename X::inner_type, typename X::tensor_type>) {
    return x;  // after the diagnostic
  } else {
    using Out = detail::reshaped_t<X, Dim, false>;
    auto const& e = x.global_shape();
    std::size_t const n = detail::blocks_along<X>(r, Dim);
    if (inner == 0 || e[Dim] % inner != 0 || (e[Dim] / inner) % n != 0)
      throw std::invalid_argument("spmd: global::split_even<" + std::to_string(Dim) + ">: the global extent " +
                                  std::to_string(e[Dim]) + " is not " + std::to_string(n) + " even blocks of rows of " +
                                  std::to_string(inner));
    return detail::reshaped_even<Out, Dim, false>(x, inner);
  }
}

}  // namespace spmd::global
