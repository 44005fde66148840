// spmd/core/meta.hpp - type-level helpers shared by every layer.
#pragma once

namespace spmd::detail {

/// False for any arguments: `static_assert(always_false<Axis, Ps...>, "...")` fails only when
/// instantiated, and the compiler prints the arguments (the axis and the placements) with it.
template <class...>
inline constexpr bool always_false = false;

}  // namespace spmd::detail
