// spmd/rules/layout_change.hpp - why a tensor cannot silently take another layout.
//
// A tensor's layout changes only through an explicit operation (a collective, convert or
// reinterpret). When a program tries an implicit change (returning, assigning or passing a
// tensor where another layout is expected), this names each axis that differs and the fix.
#pragma once

#include <type_traits>

#include <spmd/core/mesh.hpp>
#include <spmd/core/meta.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/axis_rule.hpp>

namespace spmd::rules {

/// Diagnoses the implicit change of placement `From` to `To` on mesh axis `Axis`.
template <class Axis, placement From, placement To>
consteval bool implicit_placement_change() {
  if constexpr (std::is_same_v<From, To> || ill_typed_placement<From> || ill_typed_placement<To>) {
    return true;  // an ill_typed placement comes from a rejected op, which has said why
  } else if constexpr (kind_of<From> == placement_kind::partial) {
    static_assert(spmd::detail::always_false<Axis, From, To>,
                  "spmd: a P (pending sum) tensor is used where another layout is expected: the sum on "
                  "this mesh axis was never reduced; call all_reduce (to R or I) or reduce_scatter (to "
                  "S<d>) first");
    return false;
  } else if constexpr (kind_of<To> == placement_kind::partial) {
    static_assert(spmd::detail::always_false<Axis, From, To>,
                  "spmd: a tensor is used as P (pending sum) but is not one on this mesh axis; a V "
                  "becomes P through out_partial on its matmul/einsum or reinterpret<axis, V, P>");
    return false;
  } else if constexpr ((kind_of<From> == placement_kind::replicate || kind_of<From> == placement_kind::invariant) &&
                       shard_placement<To>) {
    static_assert(spmd::detail::always_false<Axis, From, To>,
                  "spmd: a whole (R or I) tensor is used where a shard S<d> is expected on this mesh axis; if it "
                  "came from all_reduce, call reduce_scatter<axis, d> instead (each rank keeps its shard of the "
                  "sum), or split it with convert<axis, R|I, S<d>>");
    return false;
  } else {
    static_assert(spmd::detail::always_false<Axis, From, To>,
                  "spmd: a tensor is used with another layout than its own on this mesh axis, and a "
                  "layout never changes implicitly; use a collective (all_gather, all_to_all, ...), "
                  "convert or reinterpret");
    return false;
  }
}

/// Diagnoses every axis on which positional layouts `From` and `To` of `Mesh` differ.
template <any_mesh Mesh, class From, class To>
inline constexpr bool implicit_layout_change = all_axes<Mesh, From, To>([]<class Axis, class F, class T>() {
  return implicit_placement_change<Axis, F, T>();
});

}  // namespace spmd::rules
