// spmd/rules/layout_rule.hpp - the typing rule of a non-communicating op on a whole layout.
//
// `op_rule` evaluates the per-axis rule on every mesh axis: `valid` asks without failing,
// `result_layout_t` computes the result's layout and gives one static_assert per rejected axis.
// A rejected axis is `ill_typed` in the result, which every later rule accepts silently.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/rules/axis_rule.hpp>
#include <spmd/rules/out_partial.hpp>

namespace spmd::rules {

/// The "layout" of a plain number operand: `scalar` on every axis.
struct scalar_layout {};

namespace detail {
template <class Layout, std::size_t Index>
struct operand_placement_at {
  using type = placement_at_t<Layout, Index>;
};
template <std::size_t Index>
struct operand_placement_at<scalar_layout, Index> {
  using type = scalar;
};

// The infos of an operand on each of the `N` axes of its mesh: memoised per layout, so that an
// op's rule reads its operands' placements from arrays instead of instantiating a lookup per axis.
template <class Layout, std::size_t N>
struct operand_infos;
template <std::size_t N>
struct operand_infos<scalar_layout, N> {
  static constexpr std::array<operand_info, N> value{};  // a number on every axis
};
template <class... Ps, std::size_t N>
struct operand_infos<layout<Ps...>, N> {
  static constexpr std::array<operand_info, N> value{info_of<Ps>()...};
};

// The verdict of `Op` on every axis of `Mesh`, in one constant evaluation (the same function as
// axis_verdict_of on each axis).
template <class Op, class Mesh, class DimMap, class OutPartial, class... Layouts>
consteval std::array<axis_verdict, Mesh::axis_count> verdicts_on_axes() {
  return on_every_axis<Mesh::axis_count>([](std::size_t a) {
    return verdict_from<DimMap>(with_linearity<Op>(std::array<operand_info, sizeof...(Layouts)>{
                                    operand_infos<Layouts, Mesh::axis_count>::value[a]...}),
                                linearity_of<Op>, OutPartial::names(Mesh::names[a]));
  });
}

// The diagnostic on axis I (of its own: one pack expansion over both the layouts and the axes
// at once would pair them up). Instantiated only for a rejected op.
template <class Op, class Mesh, class DimMap, class OutPartial, std::size_t I, class... Layouts>
struct diagnostic_on_axis {
  using type = axis_diagnostic<Op, axis_tag<Mesh::template name<I>>, DimMap, OutPartial::names(Mesh::names[I]),
                               typename operand_placement_at<Layouts, I>::type...>;
};

template <class Op, class Mesh, class DimMap, class OutPartial, class Indices, class... Layouts>
struct op_rule_impl;
template <class Op, class Mesh, class DimMap, class OutPartial, std::size_t... Is, class... Layouts>
struct op_rule_impl<Op, Mesh, DimMap, OutPartial, std::index_sequence<Is...>, Layouts...> {
  static constexpr std::array<axis_verdict, sizeof...(Is)> verdicts =
      verdicts_on_axes<Op, Mesh, DimMap, OutPartial, Layouts...>();
  static constexpr bool valid = ((verdicts[Is].error == rule_error::none) && ...);
  using type = layout_of_values_t<verdicts>;
  // Instantiating it instantiates every axis' diagnostic: each rejected axis gets its message.
  struct diagnosis : diagnostic_on_axis<Op, Mesh, DimMap, OutPartial, Is, Layouts...>::type... {};
};
}  // namespace detail

/// The rule of `Op` on `Mesh` for operands placed `Layouts...` (positional layouts, or
/// `scalar_layout` for a number); `DimMap` says where each operand dim goes (dim_maps.hpp) and
/// `OutPartial` (an out_partial_t) which axes the call declares pending sums.
template <class Op, any_mesh Mesh, class DimMap, class OutPartial, class... Layouts>
struct op_rule {
  using impl =
      detail::op_rule_impl<Op, Mesh, DimMap, OutPartial, std::make_index_sequence<Mesh::axis_count>, Layouts...>;
  static constexpr bool out_partial_ok = detail::out_partial_axes<Mesh, OutPartial>::valid;
  /// True if the op is legal on every axis (asks, never fails to compile).
  static constexpr bool valid = out_partial_ok && impl::valid;
  /// The result layout: `ill_typed` on the axes where the op is rejected.
  using type = typename impl::type;
  /// A type whose instantiation (`sizeof(typename rule::diagnosis)`) gives one static_assert per
  /// rejected axis, or for a bad out_partial.
  using diagnosis =
      std::conditional_t<out_partial_ok, typename impl::diagnosis, detail::checked_out_partial<Mesh, OutPartial>>;
};

/// True if `Op` accepts operands placed `Layouts...` on every axis of `Mesh` (without out_partial).
template <class Op, any_mesh Mesh, class DimMap, class... Layouts>
inline constexpr bool op_valid = op_rule<Op, Mesh, DimMap, out_partial_t<>, Layouts...>::valid;

namespace detail {
template <class Rule>
struct diagnosed_layout {
  static_assert(sizeof(typename Rule::diagnosis) > 0);
  using type = typename Rule::type;
};
}  // namespace detail

/// The layout of the result of `Op` on `Mesh` (no out_partial); naming it diagnoses every
/// rejected axis.
template <class Op, any_mesh Mesh, class DimMap, class... Layouts>
using result_layout_t = typename detail::diagnosed_layout<op_rule<Op, Mesh, DimMap, out_partial_t<>, Layouts...>>::type;

}  // namespace spmd::rules
