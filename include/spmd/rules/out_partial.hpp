// spmd/rules/out_partial.hpp - out_partial<axes...>: a contraction whose result is a pending sum.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include <spmd/core/fixed_string.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/axis_rule.hpp>

namespace spmd {

/// Tag type of `out_partial`.
template <fixed_string... Axes>
struct out_partial_t {
  /// True if `name` is one of the axes.
  static constexpr bool names([[maybe_unused]] std::string_view name) noexcept { return ((Axes.view() == name) || ... || false); }
};

/// Passed to matmul/einsum: on the mesh axes `Axes` the contraction ran over sharded pieces
/// (a V result), so the result is reinterpreted as P, a sum still to be reduced. This is the
/// row-parallel matmul: `matmul(h, w2, out_partial<"tp">)`.
template <fixed_string... Axes>
inline constexpr out_partial_t<Axes...> out_partial{};

/// No `out_partial`: the default of matmul/einsum.
using no_out_partial = out_partial_t<>;

namespace detail {
template <class T>
inline constexpr bool is_out_partial = false;
template <fixed_string... Axes>
inline constexpr bool is_out_partial<out_partial_t<Axes...>> = true;
}  // namespace detail

/// True for the types of `out_partial<...>`.
template <class T>
concept out_partial_spec = detail::is_out_partial<T>;

namespace rules {

/// The placement on axis `Axis` after out_partial: V/S/P become P; R and I are errors.
template <class Axis, placement T, bool Named>
consteval auto apply_out_partial_axis() {
  if constexpr (!Named) {
    return std::type_identity<T>{};
  } else {
    if constexpr (kind_of<T> == placement_kind::replicate) {
      static_assert(detail::always_false<Axis, T>,
                    "spmd: out_partial names a mesh axis on which the result is R: nothing was sharded "
                    "there, so there is no partial sum; remove this axis from out_partial");
    } else if constexpr (kind_of<T> == placement_kind::invariant) {
      static_assert(detail::always_false<Axis, T>,
                    "spmd: out_partial names a mesh axis on which the result is I: nothing was sharded "
                    "there, so there is no partial sum; remove this axis from out_partial");
    }
    return std::type_identity<P>{};
  }
}

namespace detail {
template <class Mesh, fixed_string... Axes>
consteval bool out_partial_axes_valid() {
  // Instantiating axis_index diagnoses an unknown axis name with the name in the context.
  ((void)axis_index<Mesh, Axes>, ...);
  constexpr std::array<std::string_view, sizeof...(Axes)> names{Axes.view()...};
  for (std::size_t i = 0; i < names.size(); ++i)
    for (std::size_t j = i + 1; j < names.size(); ++j)
      if (names[i] == names[j]) return false;
  return true;
}

template <class Mesh, class Layout, class OutPartial>
struct apply_out_partial_impl;
template <class Mesh, class Layout, fixed_string... Axes>
struct apply_out_partial_impl<Mesh, Layout, out_partial_t<Axes...>> {
  static_assert(out_partial_axes_valid<Mesh, Axes...>(), "spmd: out_partial names a mesh axis twice");
  static constexpr auto result = map_axes<Mesh, Layout>([]<class Axis, class T>() {
    return apply_out_partial_axis<Axis, T, out_partial_t<Axes...>::names(Axis::name)>();
  });
  using type = typename decltype(result)::type;
};
}  // namespace detail

/// `Layout` (positional, on `Mesh`) with the axes of `OutPartial` turned into P.
template <mesh_type Mesh, class Layout, class OutPartial>
using apply_out_partial_t = typename detail::apply_out_partial_impl<Mesh, Layout, OutPartial>::type;

}  // namespace rules
}  // namespace spmd
