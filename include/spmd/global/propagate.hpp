// spmd/global/propagate.hpp - shard propagation: the partition spec of an op's result, from the
// specs of its operands and the op's dim map (rules/dim_maps.hpp), at compile time.
//
// The local rules (rules/axis_rule.hpp) already decide each mesh axis. The global view adds what
// only the order of the axes and the global meaning can tell (docs/global.md, "Propagation"):
//  - a dim kept into the result must be sharded the same way, in the same order, by every operand
//    that shards it (an operand that does not shard it broadcasts: extent 1, checked at run time);
//  - a contracted dim must be sharded in the same order in every operand that has it;
//  - a merged or cut dim (reshape, concat, narrow along it) must not be sharded: the result
//    would be a plain V, which has no global meaning;
// Everything else (P, I, out_partial, non-linear ops along a shard) is the local rule's verdict:
// a global program is a local program with more checks, never fewer.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>

#include <spmd/core/meta.hpp>
#include <spmd/global/spec.hpp>
#include <spmd/rules/axis_rule.hpp>

namespace spmd::global {

/// Why a global op is rejected (`none`: it is not).
enum class propagation_error { none, kept_order, kept_axes, contracted_order, merged_sharded };

/// What the rule knows of one operand: whether it is a tensor, and for each mesh axis the dim it
/// shards and its place among that dim's axes.
template <std::size_t N>
struct operand_spec {
  bool tensor = false;
  int ndim = 0;
  std::array<detail::axis_entry, N> axes{};
};

/// The verdict: the result's per-axis entries (only `dim`/`position` are used) or the mistake,
/// with the operand and the operand dim where it was found.
template <std::size_t N>
struct propagation {
  propagation_error error = propagation_error::none;
  int operand = -1;
  int dim = -1;
  std::array<detail::axis_entry, N> out{};
};

namespace detail {
template <class Mesh, class Spec>
struct spec_entries;
template <class Mesh, class... Dims>
struct spec_entries<Mesh, spec<Dims...>> {
  static constexpr auto value = resolve_entries<Mesh, false, Dims...>().axes;
};

/// True if the axes of dim `da` of `a` and of dim `db` of `b` are the same set; `ordered`: and in
/// the same order.
template <std::size_t N>
constexpr bool same_axes(std::array<axis_entry, N> const& a, int da, std::array<axis_entry, N> const& b, int db,
                         bool ordered) {
  for (std::size_t k = 0; k < N; ++k) {
    bool const in_a = a[k].dim == da, in_b = b[k].dim == db;
    if (in_a != in_b) return false;
    if (ordered && in_a && a[k].position != b[k].position) return false;
  }
  return true;
}
template <std::size_t N>
constexpr bool sharded(std::array<axis_entry, N> const& a, int d) {
  for (auto const& e : a)
    if (e.dim == d) return true;
  return false;
}
}  // namespace detail

/// The propagation of the specs `ops` through an op with dim map `DimMap`.
template <class DimMap, std::size_t N, std::size_t Ops>
constexpr propagation<N> propagate(std::array<operand_spec<N>, Ops> const& ops) {
  using rules::dim_fate;
  propagation<N> v;
  for (auto& e : v.out) e = detail::axis_entry{};
  auto fail = [&](propagation_error e, std::size_t i, int d) {
    v.error = e;
    v.operand = static_cast<int>(i);
    v.dim = d;
    return v;
  };
  for (std::size_t i = 0; i < Ops; ++i) {
    if (!ops[i].tensor) continue;
    for (int d = 0; d < ops[i].ndim; ++d) {
      if (!detail::sharded(ops[i].axes, d)) continue;
      dim_fate const f = DimMap::fate(i, d);
      switch (f.kind) {
        case dim_fate::kept: {
          int const o = f.index;
          if (detail::sharded(v.out, o)) {
            if (!detail::same_axes(ops[i].axes, d, v.out, o, true))
              return fail(detail::same_axes(ops[i].axes, d, v.out, o, false) ? propagation_error::kept_order
                                                                             : propagation_error::kept_axes,
                          i, d);
            break;
          }
          for (std::size_t k = 0; k < N; ++k) {
            if (ops[i].axes[k].dim != d) continue;
            // An axis that would shard two dims of the result: the local rule says so, with the
            // all_gather that is missing.
            if (v.out[k].dim >= 0) continue;
            v.out[k].dim = o;
            v.out[k].position = ops[i].axes[k].position;
          }
          break;
        }
        case dim_fate::contracted:
          for (std::size_t j = 0; j < Ops; ++j) {
            int const dj = j == i || !ops[j].tensor ? -1 : rules::detail::contracted_dim_of<DimMap>(j, f.index);
            if (dj < 0) continue;
            // A different set of axes is the local rule's to diagnose (one-sided contraction).
            if (detail::same_axes(ops[i].axes, d, ops[j].axes, dj, false) &&
                !detail::same_axes(ops[i].axes, d, ops[j].axes, dj, true))
              return fail(propagation_error::contracted_order, i, d);
          }
          break;
        case dim_fate::merged:
          return fail(propagation_error::merged_sharded, i, d);
        default:
          break;  // along / averaged: the local rule's error
      }
    }
  }
  return v;
}

namespace detail {
template <class Op, class Operand, class Dim, propagation_error E>
struct propagation_diagnostic {
  static_assert(E != propagation_error::kept_order,
                "spmd: global: two operands shard this dim on the same mesh axes in different orders, so their "
                "blocks hold different elements; redistribute one operand to the other's spec first");
  static_assert(E != propagation_error::kept_axes,
                "spmd: global: two operands shard this dim of the result on different mesh axes; shard it the same "
                "way in both (redistribute one), or not at all in one (a whole operand broadcasts along a dim of "
                "extent 1)");
  static_assert(E != propagation_error::contracted_order,
                "spmd: global: the contracted dim is sharded on the same mesh axes in different orders in the two "
                "operands, so the local products pair the wrong blocks; redistribute one operand first");
  static_assert(E != propagation_error::merged_sharded,
                "spmd: global: this op merges or cuts a sharded dim (reshape, concat, narrow or squeeze along it), "
                "and the pieces would have no global meaning; gather the dim first (global::redistribute), or use "
                "global::flatten_even / global::split_even for evenly sharded dims");
  static constexpr bool value = E == propagation_error::none;
};
}  // namespace detail

/// Instantiating `propagation_check<Op, V>::value` gives the diagnostic of verdict `V` (an
/// integral_constant names the operand and its dim in the compiler's context).
template <class Op, auto V>
inline constexpr bool propagation_check =
    detail::propagation_diagnostic<Op, std::integral_constant<int, V.operand>, std::integral_constant<int, V.dim>,
                                   V.error>::value;

}  // namespace spmd::global
