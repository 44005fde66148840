// spmd/comm/detail/dispatch.hpp - the checks every typed collective makes at the user's call, in
// order, stopping at the first failure so that one mistake gives one diagnostic.
#pragma once

#include <type_traits>
#include <utility>

#include <spmd/comm/axes.hpp>
#include <spmd/core/fixed_string.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/tensor.hpp>

namespace spmd::comm::detail {

/// The operand's placement on `Axes`: the same on each axis; equal to `Declared` unless void.
template <fixed_string Axes, class X, class Declared>
consteval bool source_valid() {
  using actual = source_placement_t<X, Axes>;  // diagnoses differing placements on several axes
  if constexpr (!source_uniform<X, Axes>) {
    return false;
  } else if constexpr (!std::is_void_v<Declared>) {
    static_assert(std::is_same_v<Declared, actual>,
                  "spmd: the declared source placement differs from the operand's placement on this mesh "
                  "axis; a collective's src must be what the tensor is");
    return std::is_same_v<Declared, actual>;
  } else {
    return true;
  }
}

/// Runs `Op<Axes, Src, Dst>::apply(r, x, args...)` after checking the axes, the source placement
/// and the transition (`Rule` is a callable whose `operator()<Axis, Src, Dst>()` diagnoses it).
/// After a failed check it returns a default tensor of the destination type, so that no
/// follow-up errors bury the diagnostic.
template <template <fixed_string, class, class> class Op, fixed_string Axes, class Declared, class Dst, class Rule,
          class Rank, class T, class... Args>
auto dispatch(Rule, Rank& r, T&& x, Args&&... args) {
  using X = std::remove_cvref_t<T>;
  using fallback = with_placement_t<X, Axes, Dst>;
  if constexpr (!checked_axes<typename X::mesh_type, Axes>::value) {
    return fallback{};
  } else if constexpr (!source_valid<Axes, X, Declared>()) {
    return fallback{};
  } else {
    using src = source_placement_t<X, Axes>;
    if constexpr (!Rule{}.template operator()<axis_tag<Axes>, src, Dst>())
      return fallback{};
    else
      return Op<Axes, src, Dst>::apply(r, std::forward<T>(x), std::forward<Args>(args)...);
  }
}

}  // namespace spmd::comm::detail
