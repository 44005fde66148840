// spmd/core/per_axis.hpp - running a per-axis rule over every axis of a mesh.
//
// A rule is a function template instantiated with the axis' on_axis<...> tag and the placements
// on that axis, so a static_assert in it fires with the axis name in the instantiation context.
// The rule is passed as a generic lambda: `[]<class Axis, class From, class To>() { ... }`.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>

namespace spmd {

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
template <mesh_type Mesh, class... Layouts, class Check>
consteval bool all_axes(Check check) {
  return detail::all_axes_impl<Mesh, Layouts...>(check, std::make_index_sequence<Mesh::rank>{});
}

/// std::type_identity of the layout on `Mesh` whose placement on each axis is the type of the
/// std::type_identity that `rule.template operator()<Axis, Ps...>()` returns (arguments as in
/// all_axes).
template <mesh_type Mesh, class... Layouts, class Rule>
consteval auto map_axes(Rule rule) {
  return detail::map_axes_impl<Mesh, Layouts...>(rule, std::make_index_sequence<Mesh::rank>{});
}

}  // namespace spmd
