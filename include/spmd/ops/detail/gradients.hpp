// spmd/ops/detail/gradients.hpp - typed helpers that the backward of an op definition uses.
//
// They work on typed tensors only (no variables), so that a backward written in an op's
// definition is checked like any other typed code.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <spmd/core/grad.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/local/differentiable.hpp>
#include <spmd/rules/out_partial.hpp>
#include <spmd/tensor.hpp>

namespace spmd::detail {

/// `g` reduced over the dims along which `like` was broadcast, as a tensor of g's type.
template <typed_tensor G, typed_tensor Like>
G unbroadcast(G g, Like const& like) {
  static_assert(has_sum_to_shape<typename G::local_type> && comparable_shape<typename G::local_type>,
                "spmd: autograd: the backward of a broadcasting op needs the local kernel sum_to_shape(g, shape) "
                "and shapes that compare with == (docs/local_tensors.md, differentiable_tensor)");
  if (g.local().shape() == like.local().shape()) return g;
  return G{sum_to_shape(std::move(g).local(), like.local().shape())};  // found by ADL
}

/// `t` broadcast (along its extents of 1) to the shape of `like`, as a tensor of t's type: t plus
/// zeros of its own type, so every placement is kept (`+` is found at instantiation).
template <typed_tensor T, typed_tensor Like>
T expand(T const& t, Like const& like) {
  using L = typename T::local_type;
  return T{L(like.local().shape(), typename L::value_type{0})} + t;
}

/// The gradient `g` of a contraction's P result (R where `OutPartial` declared it P) as the V
/// pieces each rank differentiates its own shard with: V on the axes of `OutPartial` where the
/// input `A` varies. It is the backward of the forward's V -> P step and moves no data (every
/// rank holds the same R value, which each may use as its own piece). Where that is g's own type,
/// an lvalue g is passed on as a reference (not copied).
template <typed_tensor A, class OutPartial, typed_tensor G>
decltype(auto) unpartial(G&& g) {
  using T = std::remove_cvref_t<G>;
  using mesh = typename A::mesh_type;
  using out_layout = typename decltype(map_axes<mesh, typename A::layout_type, typename T::layout_type>(
      []<class Axis, class In, class At>() {
        if constexpr (OutPartial::names(std::string_view(Axis::name)) && kind_of<In> == placement_kind::varying &&
                      kind_of<At> == placement_kind::replicate)
          return std::type_identity<V>{};
        else
          return std::type_identity<At>{};
      }))::type;
  if constexpr (std::is_same_v<out_layout, typename T::layout_type> && std::is_lvalue_reference_v<G>)
    return (g);
  else
    return basic_tensor<typename T::local_type, mesh, out_layout>{std::forward<G>(g).local()};
}

/// The out_partial of a backward contraction that gives the gradient of an input of type X from
/// operands Ts...: the axes where that gradient is P (X is R there) and an operand varies, so
/// each rank's product is a piece of the pending sum.
template <std::size_t Axis, class X, class... Ts>
constexpr bool partial_on_axis() {
  return kind_of<placement_at_t<typename grad_t<X>::layout_type, Axis>> == placement_kind::partial &&
         ((kind_of<placement_at_t<typename Ts::layout_type, Axis>> == placement_kind::varying) || ...);
}
template <class X, class... Ts>
struct partial_axes_mask {
  static constexpr auto value = []<std::size_t... Is>(std::index_sequence<Is...>) {
    return std::array<bool, sizeof...(Is)>{partial_on_axis<Is, X, Ts...>()...};
  }
  (std::make_index_sequence<X::mesh_type::axis_count>{});
};
template <class X, class... Ts>
using partial_axes_t =
    rules::out_partial_where_t<typename X::mesh_type, partial_axes_mask<X, std::remove_cvref_t<Ts>...>>;

}  // namespace spmd::detail
