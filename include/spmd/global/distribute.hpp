// spmd/global/distribute.hpp - the entry and exit points of the global view, typed:
// distribute (a whole tensor -> this rank's piece), full_tensor (back to the whole tensor),
// from_local (a rank's piece, checked against the global extents), to_local (the spec erased),
// local_map (a function of the pieces, its result given an explicit spec).
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <spmd/core/layout.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/global/blocks.hpp>
#include <spmd/global/plan.hpp>
#include <spmd/global/redistribute.hpp>
#include <spmd/global/tensor.hpp>
#include <spmd/local/concept.hpp>
#include <spmd/ops/view.hpp>
#include <spmd/runtime/communicator.hpp>

namespace spmd::global {

namespace detail {
/// This rank's block of every dim of a tensor of type `X` with global extents `extents`.
template <class X, class Rank>
std::array<block, X::ndim> blocks_of(Rank& r, typename X::extents_type const& extents) {
  using mesh = typename X::mesh_type;
  constexpr auto axes = type_entries<X>::value;
  std::array<block, X::ndim> out{};
  for (std::size_t d = 0; d < X::ndim; ++d) {
    block b{0, extents[d]};
    for (int p = 0; p < static_cast<int>(mesh::axis_count); ++p)
      for (std::size_t k = 0; k < mesh::axis_count; ++k)
        if (axes[k].dim == static_cast<int>(d) && axes[k].position == p)
          b = piece(b, r.axis_size(mesh::names[k]), r.coord(mesh::names[k]));
    out[d] = b;
  }
  return out;
}

/// True if this rank is the one that holds the value of a P axis (coordinate 0 on every P axis).
template <class X, class Rank>
bool holds_partial_value(Rank& r) {
  using mesh = typename X::mesh_type;
  auto const& placements = placement_values<typename X::layout_type>;
  for (std::size_t k = 0; k < mesh::axis_count; ++k)
    if (placements[k].kind == placement_kind::partial && r.coord(mesh::names[k]) != 0) return false;
  return true;
}

/// `X` with no dim sharded: I where `X` is I, R on every other axis.
template <class X>
struct whole_of {
  static constexpr auto entries = [] {
    auto a = type_entries<X>::value;
    for (auto& e : a)
      e = axis_entry{-1, -1, e.dim < 0 && e.whole == placement_kind::invariant ? e.whole : placement_kind::replicate,
                     1};
    return a;
  }();
  using form = canonical<typename X::mesh_type, X::ndim, entries>;
  using type =
      basic_global_tensor<basic_tensor<typename X::local_type, typename X::mesh_type, typename form::layout_type>,
                          typename form::spec_type>;
};
}  // namespace detail

/// The global tensor type `X` as a whole on every rank: no dim sharded, I where `X` is I, R
/// elsewhere (P axes summed). What full_tensor redistributes to.
template <spmd::global_typed_tensor X>
using whole_t = typename detail::whole_of<std::remove_cvref_t<X>>::type;

/// This rank's piece of `whole`, a tensor every rank holds in full and alike (a program input),
/// as the global tensor type `X`: each sharded dim cut to this rank's block; on a P axis the rank
/// of coordinate 0 holds the value and the others zeros (so the sum is the value). No
/// communication.
template <spmd::global_typed_tensor X, rank_context Rank>
X distribute(Rank& r, typename X::local_type const& whole) {
  static_assert(std::is_same_v<typename X::inner_type, typename X::tensor_type>,
                "spmd: global::distribute makes a global tensor; make a variable of it with global::variable(t, x)");
  typename X::extents_type extents{};
  for (std::size_t d = 0; d < X::ndim; ++d) extents[d] = static_cast<std::size_t>(whole.shape()[d]);
  auto const blocks = detail::blocks_of<X>(r, extents);
  typename X::local_type piece = whole;
  for (std::size_t d = 0; d < X::ndim; ++d)
    if (blocks[d].length != extents[d])
      piece = spmd::detail::kernel::narrow_fn{}(std::move(piece), d, blocks[d].offset, blocks[d].length);
  if (!detail::holds_partial_value<X>(r)) piece = typename X::local_type(piece.shape(), typename X::value_type{0});
  return X{typename X::tensor_type(std::move(piece)), extents};
}
/// distribute<global_tensor<Local, Mesh, Spec>>(r, whole), with `Local` taken from `whole`.
template <any_mesh Mesh, class Spec, rank_context Rank, local_tensor Local>
auto distribute(Rank& r, Local const& whole) {
  return distribute<spmd::global_tensor<Local, Mesh, Spec>>(r, whole);
}

/// The global tensor of type `X` whose piece on this rank is `piece` (a local tensor, or the
/// local typed tensor of X's erased layout), of global extents `extents`. Checks that the piece
/// is this rank's block of every dim.
template <spmd::global_typed_tensor X, rank_context Rank, class Piece>
X from_local(Rank& r, Piece&& piece, typename X::extents_type const& extents) {
  using T = std::remove_cvref_t<Piece>;
  static_assert(std::is_same_v<typename X::inner_type, typename X::tensor_type>,
                "spmd: global::from_local makes a global tensor; make a variable of it with global::variable(t, x)");
  constexpr bool typed = std::is_same_v<T, typename X::tensor_type>;
  static_assert(typed || std::is_same_v<T, typename X::local_type>,
                "spmd: global::from_local<X>(r, piece, extents): the piece is X's local tensor type, or the typed "
                "tensor of X's erased layout (global::to_local of an X); a typed tensor of another layout needs "
                "redistribute first");
  auto const blocks = detail::blocks_of<X>(r, extents);
  auto const& shape = [&]() -> decltype(auto) {
    if constexpr (typed)
      return piece.local().shape();
    else
      return piece.shape();
  }();
  for (std::size_t d = 0; d < X::ndim; ++d)
    if (static_cast<std::size_t>(shape[d]) != blocks[d].length)
      throw std::invalid_argument("spmd: global::from_local: the piece has extent " + std::to_string(shape[d]) +
                                  " along dim " + std::to_string(d) + " where this rank's block of the global extent " +
                                  std::to_string(extents[d]) + " has " + std::to_string(blocks[d].length));
  if constexpr (typed)
    return X{std::forward<Piece>(piece), extents};
  else
    return X{typename X::tensor_type(std::forward<Piece>(piece)), extents};
}

/// Runs `fn` on this rank's pieces of the global tensors `xs` (their local typed tensors: the
/// per-rank view, where the local rules alone apply) and makes its result the global tensor type
/// `Out`. The result must be Out's local typed tensor (checked at compile time: the output spec is
/// explicit). Its global extents are the piece's along whole dims and the sum of the pieces over
/// the sharding axes along sharded dims (one all-reduce of an extent per sharded dim); then each
/// piece must be this rank's block (as in from_local).
template <spmd::global_typed_tensor Out, rank_context Rank, class Fn, spmd::global_typed_tensor... Xs>
Out local_map(Rank& r, Fn&& fn, Xs const&... xs) {
  using piece_type = std::remove_cvref_t<decltype(std::forward<Fn>(fn)(xs.typed()...))>;
  static_assert(std::is_same_v<piece_type, typename Out::tensor_type>,
                "spmd: global::local_map<Out>(r, fn, x...): fn must return the typed tensor of Out's erased layout "
                "(global::to_local of an Out); change the output spec, or the layout fn returns");
  if constexpr (!std::is_same_v<piece_type, typename Out::tensor_type>) {
    return Out{};  // after the diagnostic
  } else {
    piece_type piece = std::forward<Fn>(fn)(xs.typed()...);
    using mesh = typename Out::mesh_type;
    constexpr auto axes = detail::type_entries<Out>::value;
    typename Out::extents_type extents{};
    for (std::size_t d = 0; d < Out::ndim; ++d) {
      extents[d] = static_cast<std::size_t>(piece.local().shape()[d]);
      std::array<std::string_view, mesh::axis_count> names{};
      std::size_t count = 0;
      for (std::size_t k = 0; k < mesh::axis_count; ++k)
        if (axes[k].dim == static_cast<int>(d)) names[count++] = mesh::names[k];
      if (count == 0) continue;
      double total[1] = {static_cast<double>(extents[d])};
      if (count == 1)
        r.comm(names[0]).all_reduce_sum(std::span<double>(total));
      else
        r.comm(std::span<std::string_view const>(names.data(), count)).all_reduce_sum(std::span<double>(total));
      extents[d] = static_cast<std::size_t>(total[0]);
    }
    return from_local<Out>(r, std::move(piece), extents);
  }
}

/// This rank's piece as a local typed tensor: the spec erased (S<d> on the axes of dim d).
template <spmd::global_typed_tensor X>
decltype(auto) to_local(X&& x) {
  return std::forward<X>(x).typed();
}

/// The whole tensor `x` means, on every rank: sharded dims gathered (in spec order), P axes
/// summed; of an R or I tensor, its value.
template <rank_context Rank, spmd::global_typed_tensor X>
typename std::remove_cvref_t<X>::local_type full_tensor(Rank& r, X const& x) {
  using T = std::remove_cvref_t<X>;
  if constexpr (std::is_same_v<typename T::inner_type, typename T::tensor_type>) {
    return detail::redistribute_to<whole_t<X>, false>(r, x).local();
  } else {  // a variable: its value, with nothing recorded
    using value = basic_global_tensor<typename T::tensor_type, typename T::spec_type>;
    return detail::redistribute_to<whole_t<value>, false>(r, value{x.typed().value(), x.global_shape()}).local();
  }
}

}  // namespace spmd::global

namespace spmd {
using global::distribute;
using global::from_local;
using global::full_tensor;
using global::to_local;
}  // namespace spmd
