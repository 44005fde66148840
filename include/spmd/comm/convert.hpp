// spmd/comm/convert.hpp - typed convert and reinterpret: placement changes that never communicate.
//
// convert keeps the meaning of the tensor and may change this rank's data (split a whole value
// into shards, zero all ranks but rank 0); reinterpret keeps the data and may change the meaning
// (V -> P declares the pieces a sum). Both name the source and destination placements; the few
// transitions that are almost never wanted in forward code need the spmd::expert argument.
//
// convert's first check is on the local tensor type: a buffer_tensor (it may zero the data, and
// its backward may all_reduce), and a row_major_tensor when it cuts a shard out of a whole value
// or places one in zeros (spmd/local/buffer.hpp). reinterpret never touches the data: any
// local_tensor.
#pragma once

#include <type_traits>
#include <utility>

#include <spmd/comm/collectives.hpp>
#include <spmd/comm/detail/dispatch.hpp>
#include <spmd/comm/detail/local_checks.hpp>
#include <spmd/comm/ops.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/transitions.hpp>

namespace spmd {

namespace comm::detail {
template <bool Expert>
inline constexpr auto convert_rule =
    []<class A, class S, class D>() { return rules::convert_allowed<A, S, D, Expert>(); };
template <bool Expert>
inline constexpr auto reinterpret_rule =
    []<class A, class S, class D>() { return rules::reinterpret_allowed<A, S, D, Expert>(); };
// reinterpret needs no rank: a stand-in for the dispatcher.
struct no_rank {};
}  // namespace comm::detail

/// Converts `x` from `Src` (which must be its placement) to `Dst` on `Axes`, keeping its meaning:
/// I -> R (backward: all_reduce), R|I -> S<d> (keep this rank's chunk), R -> P (zero all but
/// rank 0), V <-> S<d> (annotation only). `sizes` gives uneven chunk extents.
template <fixed_string Axes, placement Src, placement Dst, typed_tensor T, rank_context Rank>
auto convert(Rank& r, T&& x, split_sizes sizes = {}) {
  if constexpr (!comm::detail::convertible_local<comm::detail::local_of<T>, Src, Dst>())
    return comm::detail::refused<Axes, Dst, T>();
  else
    return comm::detail::dispatch<comm::convert_op, Axes, Src, Dst>(comm::detail::convert_rule<false>, r,
                                                                    std::forward<T>(x), sizes);
}
/// convert in expert mode: also R -> I, I -> P and S<d> -> P.
template <fixed_string Axes, placement Src, placement Dst, typed_tensor T, rank_context Rank>
auto convert(Rank& r, T&& x, expert_t, split_sizes sizes = {}) {
  if constexpr (!comm::detail::convertible_local<comm::detail::local_of<T>, Src, Dst>())
    return comm::detail::refused<Axes, Dst, T>();
  else
    return comm::detail::dispatch<comm::convert_op, Axes, Src, Dst>(comm::detail::convert_rule<true>, r,
                                                                    std::forward<T>(x), sizes);
}

/// Reinterprets `x` from `Src` (its placement) as `Dst` on `Axes` without touching its data:
/// I -> V, V -> P. The meaning may change (V -> P declares the pieces a pending sum).
template <fixed_string Axes, placement Src, placement Dst, typed_tensor T>
auto reinterpret(T&& x) {
  comm::detail::no_rank r;
  return comm::detail::dispatch<comm::reinterpret_op, Axes, Src, Dst>(comm::detail::reinterpret_rule<false>, r,
                                                                      std::forward<T>(x));
}
/// reinterpret in expert mode: also R -> V, R -> P (the value is multiplied by the axis size),
/// R -> I and I -> R.
template <fixed_string Axes, placement Src, placement Dst, typed_tensor T>
auto reinterpret(T&& x, expert_t) {
  comm::detail::no_rank r;
  return comm::detail::dispatch<comm::reinterpret_op, Axes, Src, Dst>(comm::detail::reinterpret_rule<true>, r,
                                                                      std::forward<T>(x));
}

}  // namespace spmd
