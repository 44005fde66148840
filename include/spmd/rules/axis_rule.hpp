// spmd/rules/axis_rule.hpp - the typing rule of a non-communicating op on one mesh axis.
//
// Every op is checked axis by axis. The check is a function template whose template arguments
// are the op, the axis name and the operands' placements on that axis, so when a static_assert
// fires the compiler's "in instantiation of" line shows all three.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <type_traits>

#include <spmd/core/fixed_string.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/linearity.hpp>

namespace spmd::rules {

/// The placement of a plain number operand on every axis: it adopts the other operands' type.
struct scalar {};

/// A placement, or `scalar`.
template <class T>
concept operand_placement = placement<T> || std::same_as<T, scalar>;

/// Where a tensor dim of an operand goes in the result: the result dim, or `decays` when the dim
/// does not survive (reduced over, contracted, merged); an S<d> on that dim then becomes a V.
inline constexpr int decays = -1;

/// The dim map of ops that keep every dim in place (unary and elementwise ops).
struct same_dims {
  static constexpr int out_dim(std::size_t /*operand*/, int dim) noexcept { return dim; }
};

namespace detail {

template <class...>
inline constexpr bool always_false = false;

struct operand_counts {
  std::size_t replicate = 0, invariant = 0, varying = 0, partial = 0, scalars = 0;
  [[nodiscard]] constexpr std::size_t tensors() const noexcept { return replicate + invariant + varying + partial; }
};

template <operand_placement... Ps>
consteval operand_counts count_operands() {
  operand_counts c;
  auto add = [&c]<class T>() {
    if constexpr (std::same_as<T, scalar>) {
      ++c.scalars;
    } else {
      switch (kind_of<T>) {
        case placement_kind::replicate: ++c.replicate; break;
        case placement_kind::invariant: ++c.invariant; break;
        case placement_kind::varying: ++c.varying; break;
        case placement_kind::partial: ++c.partial; break;
      }
    }
  };
  (add.template operator()<Ps>(), ...);
  return c;
}

template <class T>
consteval bool is_partial() {
  if constexpr (placement<T>)
    return kind_of<T> == placement_kind::partial;
  else
    return false;
}

template <class First, class... Rest>
inline constexpr bool first_is_partial = is_partial<First>();

template <class T>
consteval int recorded_dim() {
  if constexpr (shard_placement<T>)
    return T::dim;
  else
    return decays;
}

template <class T>
consteval bool is_varying() {
  if constexpr (placement<T>)
    return kind_of<T> == placement_kind::varying;
  else
    return false;
}

}  // namespace detail

/// The rule kind of the result of `Op` on mesh axis `Axis` (an on_axis<...> type) whose operands are placed `Ps...`.
/// Every illegal mix is a static_assert here; its message states the rule and the fix.
template <class Op, class Axis, operand_placement... Ps>
consteval placement_kind result_kind() {
  constexpr detail::operand_counts c = detail::count_operands<Ps...>();
  constexpr linearity lin = linearity_of<Op>;
  static_assert(c.tensors() > 0, "spmd: an op needs at least one tensor operand");
  if constexpr (c.invariant > 0) {
    if constexpr (c.invariant != c.tensors()) {
      static_assert(detail::always_false<Op, Axis, Ps...>,
                    "spmd: I (invariant) meets another type on this mesh axis, and I never mixes; "
                    "convert it first: convert<axis, I, R> for a replicated parameter used next to R/V "
                    "values, or convert<axis, I, S<d>> to split it");
    }
    return placement_kind::invariant;
  } else if constexpr (c.partial > 0) {
    if constexpr (c.varying > 0) {
      static_assert(detail::always_false<Op, Axis, Ps...>,
                    "spmd: P (a pending sum) meets V (varying) on this mesh axis; their combination means "
                    "nothing: reduce the P first (all_reduce, or reduce_scatter to get a V)");
    } else if constexpr (lin == linearity::nonlinear) {
      static_assert(detail::always_false<Op, Axis, Ps...>,
                    "spmd: a non-linear op received P (a pending sum) on this mesh axis; f(sum of parts) "
                    "is not the sum of f(parts): all_reduce it first");
    } else if constexpr (lin == linearity::linear && c.replicate > 0) {
      static_assert(detail::always_false<Op, Axis, Ps...>,
                    "spmd: P + R on this mesh axis: a linear op mixes a pending sum with a replicated "
                    "term, which would be summed once per rank; all_reduce the P first (or make every "
                    "operand P)");
    } else if constexpr (lin == linearity::linear && c.scalars > 0) {
      static_assert(detail::always_false<Op, Axis, Ps...>,
                    "spmd: P + scalar on this mesh axis: the scalar would be summed once per rank; "
                    "all_reduce the P first");
    } else if constexpr (lin == linearity::multilinear && c.partial > 1) {
      static_assert(detail::always_false<Op, Axis, Ps...>,
                    "spmd: P * P on this mesh axis: the product of two pending sums is not the sum of "
                    "products; all_reduce one operand first");
    } else if constexpr (lin == linearity::linear_in_first &&
                         (c.partial > 1 || !detail::first_is_partial<Ps...>)) {
      static_assert(detail::always_false<Op, Axis, Ps...>,
                    "spmd: x / P on this mesh axis: division is linear in its numerator only, so the "
                    "divisor must not be a pending sum; all_reduce the divisor first");
    }
    return placement_kind::partial;
  } else if constexpr (c.varying > 0) {
    return placement_kind::varying;
  } else {
    return placement_kind::replicate;
  }
}

/// The dim a V result records on one axis: S<d> survives when every varying operand is an S whose
/// dim maps (through `DimMap`) to the same result dim d; anything else decays to a plain V.
template <class DimMap, operand_placement... Ps>
consteval int result_shard_dim() {
  constexpr std::size_t n = sizeof...(Ps);
  constexpr std::array<bool, n> varying{detail::is_varying<Ps>()...};
  constexpr std::array<int, n> dims{detail::recorded_dim<Ps>()...};
  int out = decays;
  bool first = true;
  for (std::size_t i = 0; i < n; ++i) {
    if (!varying[i]) continue;
    int const mapped = dims[i] == decays ? decays : DimMap::out_dim(i, dims[i]);
    if (mapped == decays) return decays;
    if (!first && mapped != out) return decays;
    out = mapped;
    first = false;
  }
  return out;
}

namespace detail {
template <placement_kind K, int Dim>
struct make_placement {
  using type = R;
};
template <int Dim>
struct make_placement<placement_kind::invariant, Dim> {
  using type = I;
};
template <int Dim>
struct make_placement<placement_kind::partial, Dim> {
  using type = P;
};
template <int Dim>
struct make_placement<placement_kind::varying, Dim> {
  using type = std::conditional_t<(Dim >= 0), S<(Dim >= 0 ? Dim : 0)>, V>;
};
}  // namespace detail

/// The placement of the result of `Op` on mesh axis `Axis`.
template <class Op, class Axis, class DimMap, operand_placement... Ps>
struct axis_result {
  static constexpr placement_kind kind = result_kind<Op, Axis, Ps...>();
  using type = typename detail::make_placement<
      kind, (kind == placement_kind::varying ? result_shard_dim<DimMap, Ps...>() : decays)>::type;
};

}  // namespace spmd::rules
