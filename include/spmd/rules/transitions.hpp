// spmd/rules/transitions.hpp - which changes of placement each collective, convert and reinterpret
// may make on a mesh axis, which need spmd::expert, and why the others are refused.
//
// Type level only. Each check is a function template of the axis (on_axis<...>), the source and
// the destination placement, so a failing static_assert shows all three.
#pragma once

#include <type_traits>

#include <spmd/core/meta.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/axis_rule.hpp>

namespace spmd::rules {

/// all_reduce: P -> R or I (a plain V accepted: reinterpreted as P, then reduced).
template <class Axis, placement Src, placement Dst>
consteval bool all_reduce_allowed() {
  using enum placement_kind;
  if constexpr (shard_placement<Src>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: all_reduce of a shard S<d> on this mesh axis: the pieces of a sharded tensor are "
                  "not terms of a sum; all_gather it, or, if the value really is a per-rank term (e.g. "
                  "the output of a matmul over a sharded dim), produce it with out_partial (P), or "
                  "convert<axis, S<d>, V> first");
    return false;
  } else if constexpr (!of_kind<Src, partial, varying>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: all_reduce needs a P (pending sum) operand on this mesh axis (a V is accepted and "
                  "summed); an R or I value has nothing to reduce");
    return false;
  } else if constexpr (!of_kind<Dst, replicate, invariant>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: all_reduce produces R or I on this mesh axis; for a shard of the sum call "
                  "reduce_scatter<axis, S<d>>");
    return false;
  } else {
    return true;
  }
}

/// reduce_scatter: P -> S<d> (a plain V accepted as for all_reduce).
template <class Axis, placement Src, placement Dst>
consteval bool reduce_scatter_allowed() {
  using enum placement_kind;
  if constexpr (shard_placement<Src>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: reduce_scatter of a shard S<d> on this mesh axis: the pieces of a sharded tensor "
                  "are not terms of a sum; a row-parallel matmul must say out_partial<axis> (its result is "
                  "P), or convert<axis, S<d>, V> first if the value is a per-rank term");
    return false;
  } else if constexpr (!of_kind<Src, partial, varying>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: reduce_scatter needs a P (pending sum) operand on this mesh axis (a V is accepted "
                  "and summed); to split an R or I value without communication call convert<axis, R|I, "
                  "S<d>>");
    return false;
  } else if constexpr (!shard_placement<Dst>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: reduce_scatter produces a shard: name the dim to scatter along as S<d> (for the "
                  "whole sum call all_reduce)");
    return false;
  } else {
    return true;
  }
}

/// all_gather: V/S<d> -> R or I.
template <class Axis, placement Src, placement Dst>
consteval bool all_gather_allowed() {
  using enum placement_kind;
  if constexpr (of_kind<Src, partial>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: all_gather of a P (pending sum) would gather unsummed pieces; call all_reduce "
                  "(whole sum) or reduce_scatter (shard of the sum)");
    return false;
  } else if constexpr (!of_kind<Src, varying>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: all_gather needs a V or S<d> operand on this mesh axis; an R or I value is "
                  "already whole on every rank");
    return false;
  } else if constexpr (!of_kind<Dst, replicate, invariant>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: all_gather produces R or I on this mesh axis; to move a shard to another dim "
                  "call all_to_all");
    return false;
  } else {
    return true;
  }
}

/// all_to_all: S<a> -> S<b>.
template <class Axis, placement Src, placement Dst>
consteval bool all_to_all_allowed() {
  if constexpr (!shard_placement<Src> || !shard_placement<Dst>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: all_to_all moves a shard from one dim to another: it needs S<a> -> S<b> on this "
                  "mesh axis");
    return false;
  } else {
    return true;
  }
}

/// convert: keeps the meaning, may change local data, never communicates.
/// R -> I*, I -> R, R -> S<d>, I -> S<d>, R -> P, I -> P*, S<d> -> P* (* needs spmd::expert);
/// V <-> S<d> only changes the annotation.
template <class Axis, placement Src, placement Dst, bool Expert>
consteval bool convert_allowed() {
  using enum placement_kind;
  if constexpr (std::is_same_v<Src, Dst>) {
    return true;
  } else if constexpr (of_kind<Src, partial>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: convert out of P is never allowed: a pending sum must be reduced by a collective; "
                  "call all_reduce (to R or I) or reduce_scatter (to S<d>)");
    return false;
  } else if constexpr (shard_placement<Src> && shard_placement<Dst>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: convert(S<a>, S<b>) moves data between ranks: call all_to_all<axis, S<b>>");
    return false;
  } else if constexpr (of_kind<Src, varying> && of_kind<Dst, varying>) {
    return true;  // V <-> S<d> only adds or drops the annotation of the concatenation dim
  } else if constexpr (of_kind<Src, varying> && of_kind<Dst, replicate, invariant>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: convert cannot make a varying value whole without communication: call "
                  "all_gather<axis, R|I>");
    return false;
  } else if constexpr (std::is_same_v<Dst, V> || (std::is_same_v<Src, V> && of_kind<Dst, partial>)) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: convert between a whole value and V splits or places it along a tensor dim: "
                  "name the dim with S<d>");
    return false;
  } else if constexpr (of_kind<Src, replicate> && of_kind<Dst, invariant> && !Expert) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: convert<axis, R, I> needs spmd::expert: it has no natural forward use (it is the "
                  "backward of convert(I, P)); an invariant value usually comes from all_reduce<axis, I>");
    return false;
  } else if constexpr (of_kind<Src, invariant> && of_kind<Dst, partial> && !Expert) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: convert<axis, I, P> needs spmd::expert: it zeroes the value on every rank but "
                  "rank 0 (it is the backward of convert(R, I)); to use an invariant value next to R/V "
                  "values call convert<axis, I, R>");
    return false;
  } else if constexpr (shard_placement<Src> && of_kind<Dst, partial> && !Expert) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: convert<axis, S<d>, P> needs spmd::expert: it places each shard in zeros (it is "
                  "the backward of convert(R, S<d>)); to sum varying values call all_reduce or "
                  "reduce_scatter, which accept V");
    return false;
  } else {
    return true;
  }
}

/// reinterpret: keeps the local data, may change the meaning, never communicates.
/// R -> V*, I -> V, V -> P, R -> P*, R -> I*, I -> R* (* needs spmd::expert).
template <class Axis, placement Src, placement Dst, bool Expert>
consteval bool reinterpret_allowed() {
  using enum placement_kind;
  if constexpr (std::is_same_v<Src, Dst>) {
    return true;
  } else if constexpr (shard_placement<Src> || shard_placement<Dst>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: reinterpret does not take S<d> (it cannot split or join data): use V, or convert "
                  "or a collective (all_gather, reduce_scatter, all_to_all)");
    return false;
  } else if constexpr (of_kind<Src, partial>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: reinterpret out of P is never allowed: a pending sum must be reduced by a "
                  "collective; call all_reduce (to R or I) or reduce_scatter (to S<d>)");
    return false;
  } else if constexpr (of_kind<Src, varying> && of_kind<Dst, partial>) {
    return true;  // the per-rank pieces are declared a pending sum
  } else if constexpr (of_kind<Src, varying>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: reinterpret cannot declare varying values equal; call all_gather or all_reduce "
                  "(or make the source R/I in the first place)");
    return false;
  } else if constexpr (of_kind<Src, invariant> && of_kind<Dst, partial>) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: reinterpret<axis, I, P> is not provided: to keep the value call convert<axis, I, "
                  "P> (expert); to scale it by the axis size go through R");
    return false;
  } else if constexpr (of_kind<Src, replicate> && of_kind<Dst, varying> && !Expert) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: reinterpret<axis, R, V> needs spmd::expert: it makes one copy per rank (it is the "
                  "backward of reinterpret(V, P)); to shard a replicated value call convert<axis, R, S<d>>");
    return false;
  } else if constexpr (of_kind<Src, replicate> && of_kind<Dst, partial> && !Expert) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: reinterpret<axis, R, P> needs spmd::expert: it multiplies the value by the axis "
                  "size; to keep the value call convert<axis, R, P>");
    return false;
  } else if constexpr (of_kind<Src, replicate> && of_kind<Dst, invariant> && !Expert) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: reinterpret<axis, R, I> needs spmd::expert; it is rarely wanted in forward code: "
                  "prefer convert<axis, R, I> (also expert), or all_reduce<axis, I> of a pending sum");
    return false;
  } else if constexpr (of_kind<Src, invariant> && of_kind<Dst, replicate> && !Expert) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: reinterpret<axis, I, R> needs spmd::expert: call convert<axis, I, R>, the "
                  "I -> R transition (identity forward, all-reduce backward)");
    return false;
  } else {
    return true;
  }
}

}  // namespace spmd::rules
