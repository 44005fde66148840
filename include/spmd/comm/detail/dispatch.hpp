// spmd/comm/detail/dispatch.hpp - the checks every typed collective makes at the user's call, in
// order, stopping at the first failure so that one mistake gives one diagnostic.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <spmd/comm/axes.hpp>
#include <spmd/core/fixed_string.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/block_order.hpp>
#include <spmd/tensor.hpp>

namespace spmd::comm::detail {

/// The operand's placement on `Axes`: the same on each axis; equal to `Declared` unless void.
template <fixed_string Axes, class X, class Declared>
consteval bool source_valid() {
  using actual = source_placement_t<X, Axes>;  // diagnoses differing placements on several axes
  if constexpr (!source_uniform<X, Axes>) {
    return false;
  } else if constexpr (ill_typed_placement<actual>) {
    return false;  // the op that made the operand was rejected and has said why
  } else if constexpr (!std::is_void_v<Declared>) {
    static_assert(std::is_same_v<Declared, actual>,
                  "spmd: the declared source placement differs from the operand's placement on this mesh "
                  "axis; a collective's src must be what the tensor is");
    return std::is_same_v<Declared, actual>;
  } else {
    return true;
  }
}

/// The axes, the source placement and the transition to `Dst` (`Rule` is a callable whose
/// `operator()<Axis, Src, Dst>()` diagnoses it), each only if the ones before it hold.
template <fixed_string Axes, class Declared, class Dst, class X, class Rule>
consteval bool call_valid() {
  if constexpr (!checked_axes<typename X::mesh_type, Axes>::value)
    return false;
  else if constexpr (!source_valid<Axes, X, Declared>())
    return false;
  else
    return Rule{}.template operator()<axis_tag<Axes>, source_placement_t<X, Axes>, Dst>();
}

/// Whether the op moves data between the ranks' blocks: every collective does; a convert between
/// S<d> and V and every reinterpret only change the type (`moves_blocks = false`).
template <class OpT>
consteval bool moves_blocks() {
  if constexpr (requires { OpT::moves_blocks; })
    return OpT::moves_blocks;
  else
    return true;
}

/// Gathering or splitting along the dim of `P` over `Axes` keeps the blocks of that dim in mesh
/// order (rules/block_order.hpp): no axis outside `Axes` after one of them shards it. True for a
/// placement that is not a shard (nothing is gathered or split along a dim).
template <class Mesh, class Layout, fixed_string Axes, class P>
consteval bool block_order_kept() {
  if constexpr (!shard_placement<P>) {
    return true;
  } else {
    constexpr std::size_t k = rules::axis_breaking_block_order(placement_values<Layout>, in_group<Mesh, Axes>, P::dim);
    if constexpr (k == Mesh::axis_count)
      return true;
    else
      return rules::block_order_diagnostic<axis_tag<Mesh::template name<k>>, P::dim>::value;
  }
}

/// The dims `Op` gathers (an S<a> source) or splits (an S<b> destination) keep their block order;
/// the split dim is checked only if the gathered one passed (one diagnostic).
template <template <fixed_string, class, class> class Op, fixed_string Axes, class X, class Src, class Dst>
consteval bool blocks_in_order() {
  using mesh_t = typename X::mesh_type;
  using layout_t = typename X::layout_type;
  if constexpr (std::is_same_v<Src, Dst> || !moves_blocks<Op<Axes, Src, Dst>>())
    return true;
  else if constexpr (!block_order_kept<mesh_t, layout_t, Axes, Src>())
    return false;
  else
    return block_order_kept<mesh_t, layout_t, Axes, Dst>();
}

/// Runs `Op<Axes, Src, Dst>::apply(r, x, args...)` if call_valid. After a failed check it returns
/// a default tensor of the destination type, so that no follow-up errors bury the diagnostic.
template <template <fixed_string, class, class> class Op, fixed_string Axes, class Declared, class Dst, class Rule,
          class Rank, class T, class... Args>
auto dispatch(Rule, Rank& r, T&& x, Args&&... args) {
  using X = std::remove_cvref_t<T>;
  if constexpr (!call_valid<Axes, Declared, Dst, X, Rule>())
    return with_placement_t<X, Axes, Dst>{};
  else if constexpr (!blocks_in_order<Op, Axes, X, source_placement_t<X, Axes>, Dst>())
    return with_placement_t<X, Axes, Dst>{};
  else
    return Op<Axes, source_placement_t<X, Axes>, Dst>::apply(r, std::forward<T>(x), std::forward<Args>(args)...);
}

/// `Out` is tensor type `X` with other placements on `Axes` only (same local type and mesh).
template <class X, class Out, fixed_string Axes>
consteval bool same_but_on_axes() {
  if constexpr (!std::is_same_v<typename X::local_type, typename Out::local_type> ||
                !std::is_same_v<typename X::mesh_type, typename Out::mesh_type>)
    return false;
  else
    return std::is_same_v<Out, with_placement_t<X, Axes, source_placement_t<Out, Axes>>>;
}

/// Runs `Op<Axes, Src, Dst>::apply_into(r, x, out, args...)`, `Dst` read from `out`'s type, after
/// the checks of dispatch and one more: `out` has the result's type. Returns `out`.
template <template <fixed_string, class, class> class Op, fixed_string Axes, class Rule, class Rank, class X, class Out,
          class... Args>
Out& dispatch_into(Rule, Rank& r, X const& x, Out& out, Args&&... args) {
  if constexpr (!checked_axes<typename X::mesh_type, Axes>::value || !source_valid<Axes, X, void>()) {
    return out;
  } else if constexpr (!source_uniform<Out, Axes>) {
    return out;
  } else if constexpr (constexpr bool ok = same_but_on_axes<X, Out, Axes>(); !ok) {
    static_assert(ok,
                  "spmd: the output tensor of a collective '_into' call must have the result's type: the "
                  "operand's local type, mesh and placements on every other mesh axis; only the placements "
                  "on the collective's axes differ");
    return out;
  } else {
    using dst = source_placement_t<Out, Axes>;
    if constexpr (call_valid<Axes, void, dst, X, Rule>() &&
                  blocks_in_order<Op, Axes, X, source_placement_t<X, Axes>, dst>())
      Op<Axes, source_placement_t<X, Axes>, dst>::apply_into(r, x, out, std::forward<Args>(args)...);
    return out;
  }
}

}  // namespace spmd::comm::detail
