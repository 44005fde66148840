// spmd/autograd/as_grad.hpp - turning a backward step's local result into an input's gradient type.
//
// A backward step computes, per rank, the local gradient of an input with ordinary typed ops.
// Where the input was R and met varying operands, that local gradient is V: each rank holds a
// piece, and the pieces sum to the gradient. That is exactly grad(R) = P, reached without
// communication (a reinterpret). Everything else must already be the gradient's type; a
// backward step that would need a collective the forward did not plan does not compile.
#pragma once

#include <type_traits>
#include <utility>

#include <spmd/core/meta.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/axis_rule.hpp>
#include <spmd/tensor.hpp>

namespace spmd::autograd {

namespace detail {
template <class Axis, placement Local, placement Target>
consteval bool gradient_placement_ok() {
  if constexpr (std::is_same_v<Local, Target> || ill_typed_placement<Local> || ill_typed_placement<Target>) {
    return true;
  } else if constexpr (shard_placement<Local> && shard_placement<Target>) {
    static_assert(spmd::detail::always_false<Axis, Local, Target>,
                  "spmd: autograd: a backward step computes a gradient sharded along another dim than the "
                  "input's on this mesh axis");
    return false;
  } else if constexpr (kind_of<Local> == placement_kind::varying &&
                       (kind_of<Target> == placement_kind::partial || kind_of<Target> == placement_kind::varying)) {
    return true;  // V pieces of a pending sum (the gradient of R), or a shard annotation added/dropped
  } else {
    static_assert(spmd::detail::always_false<Axis, Local, Target>,
                  "spmd: autograd: a backward step computes a gradient whose placement on this mesh axis "
                  "(the first placement shown) is not the one the input's gradient must have (the second); "
                  "it would need a collective the forward did not plan (put the matching collective in the "
                  "forward)");
    return false;
  }
}
}  // namespace detail

/// The local gradient `g` as a tensor of type `Target` (the gradient type of an input): V pieces
/// become P (or an S annotation) without touching data; any other difference is a compile error.
template <typed_tensor Target, typed_tensor G>
Target as_grad(G&& g) {
  using X = std::remove_cvref_t<G>;
  static_assert(std::is_same_v<typename X::mesh_type, typename Target::mesh_type>,
                "spmd: autograd: a gradient on another mesh");
  if constexpr (std::is_same_v<X, Target>) {
    return std::forward<G>(g);
  } else {
    constexpr bool ok = all_axes<typename Target::mesh_type, typename X::layout_type, typename Target::layout_type>(
        []<class Axis, class Local, class Want>() { return detail::gradient_placement_ok<Axis, Local, Want>(); });
    if constexpr (ok)
      return Target{std::forward<G>(g).local()};
    else
      return Target{};
  }
}

}  // namespace spmd::autograd
