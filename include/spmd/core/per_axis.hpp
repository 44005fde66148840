// spmd/core/per_axis.hpp - the one engine that runs per-axis code over every axis of a mesh.
//
// Two forms, for two needs:
//  - values: a layout's placements as an array of placement_value (`placement_values`), a
//    constexpr function evaluated on every axis in one constant evaluation (`on_every_axis`), and
//    the layout of an array of values (`layout_of_values_t`). Rules and planners compute with these:
//    one instantiation per layout, not one per axis.
//  - types: a rule that must diagnose is a function template instantiated with the axis'
//    on_axis<...> tag and the placements on that axis (`all_axes`, `map_axes`), so a static_assert
//    in it fires with the axis name in the instantiation context. The rule is passed as a generic
//    lambda: `[]<class Axis, class From, class To>() { ... }`. `for_each_axis` runs run-time code
//    with the axis index as a constant.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/placement.hpp>

namespace spmd {

/// The placements of `Layout` (a positional layout<Ps...>) on each axis, as values.
template <class Layout>
inline constexpr std::array<placement_value, 0> placement_values{};
template <class... Ps>
inline constexpr std::array<placement_value, sizeof...(Ps)> placement_values<layout<Ps...>>{placement_value_of<Ps>...};

/// The array of `f(a)` for every axis index a < N (in a constant expression: one evaluation for
/// all axes).
template <std::size_t N, class F>
constexpr auto on_every_axis(F f) {
  std::array<decltype(f(std::size_t{0})), N> out{};
  for (std::size_t a = 0; a < N; ++a) out[a] = f(a);
  return out;
}

namespace detail {
template <auto const& Values, class Indices = std::make_index_sequence<Values.size()>>
struct layout_of_values;
template <auto const& Values, std::size_t... Is>
struct layout_of_values<Values, std::index_sequence<Is...>> {
  using type = layout<placement_t<Values[Is].kind, Values[Is].dim>...>;
};
}  // namespace detail

/// The layout whose placement on axis k is `Values[k]` (an array of placement_value, or of any
/// type with `kind` and `dim` members, with static storage duration).
template <auto const& Values>
using layout_of_values_t = typename detail::layout_of_values<Values>::type;

namespace detail {
// The rule on axis I of Mesh (a function of its own: a pack expansion over both the layouts and
// the axes at once would pair them up).
template <class Mesh, std::size_t I, class... Layouts, class Rule>
consteval auto rule_on_axis(Rule rule) {
  return rule.template operator()<axis_tag<Mesh::template name<I>>, placement_at_t<Layouts, I>...>();
}

template <class Mesh, class... Layouts, class Check, std::size_t... Is>
consteval bool all_axes_impl(Check check, std::index_sequence<Is...>) {
  // && short-circuits the evaluation but not the instantiations: every failing axis is diagnosed.
  return (rule_on_axis<Mesh, Is, Layouts...>(check) && ...);
}

template <class Mesh, class... Layouts, class Rule, std::size_t... Is>
consteval auto map_axes_impl(Rule rule, std::index_sequence<Is...>) {
  return std::type_identity<layout<typename decltype(rule_on_axis<Mesh, Is, Layouts...>(rule))::type...>>{};
}
}  // namespace detail

/// True if `check.template operator()<Axis, Ps...>()` is true on every axis of `Mesh`, where `Axis`
/// is the axis' on_axis<...> tag and `Ps...` are the placements of the positional `Layouts...`
/// on it. Every axis is checked: each failing one gives its own diagnostic.
template <any_mesh Mesh, class... Layouts, class Check>
consteval bool all_axes(Check check) {
  return detail::all_axes_impl<Mesh, Layouts...>(check, std::make_index_sequence<Mesh::axis_count>{});
}

/// std::type_identity of the layout on `Mesh` whose placement on each axis is the type of the
/// std::type_identity that `rule.template operator()<Axis, Ps...>()` returns (arguments as in
/// all_axes).
template <any_mesh Mesh, class... Layouts, class Rule>
consteval auto map_axes(Rule rule) {
  return detail::map_axes_impl<Mesh, Layouts...>(rule, std::make_index_sequence<Mesh::axis_count>{});
}

namespace detail {
template <class F, std::size_t... Is>
constexpr void for_each_axis_impl(F&& f, std::index_sequence<Is...>) {
  (f.template operator()<Is>(), ...);
}
}  // namespace detail

/// Calls `f.template operator()<K>()` for every axis index K of `Mesh`, in mesh order (run-time
/// code that needs the axis as a constant: its placement type, its name).
template <any_mesh Mesh, class F>
constexpr void for_each_axis(F&& f) {
  detail::for_each_axis_impl(f, std::make_index_sequence<Mesh::axis_count>{});
}

}  // namespace spmd
