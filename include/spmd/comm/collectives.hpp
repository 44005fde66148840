// spmd/comm/collectives.hpp - typed collectives: all_reduce, reduce_scatter, all_gather, all_to_all.
//
// Each acts on the mesh axes named by its first template argument ("tp", or "dp,tp" for a group
// flattened over several axes) and leaves every other axis's placement as it is. The source
// placement is read from the operand, or given explicitly and checked; the destination is given.
//
// The first check of each is on the local tensor type: all_reduce needs a buffer_tensor, the
// collectives that split or join along a dim a row_major_tensor (spmd/local/buffer.hpp).
#pragma once

#include <type_traits>
#include <utility>

#include <spmd/comm/axes.hpp>
#include <spmd/comm/detail/dispatch.hpp>
#include <spmd/comm/detail/local_checks.hpp>
#include <spmd/comm/ops.hpp>
#include <spmd/core/fixed_string.hpp>
#include <spmd/core/meta.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/transitions.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/tensor.hpp>

namespace spmd {

namespace comm::detail {
// clang-format off
inline constexpr auto all_reduce_rule     = []<class A, class S, class D>() { return rules::all_reduce_allowed<A, S, D>(); };
inline constexpr auto reduce_scatter_rule = []<class A, class S, class D>() { return rules::reduce_scatter_allowed<A, S, D>(); };
inline constexpr auto all_gather_rule     = []<class A, class S, class D>() { return rules::all_gather_allowed<A, S, D>(); };
inline constexpr auto all_to_all_rule     = []<class A, class S, class D>() { return rules::all_to_all_allowed<A, S, D>(); };
// clang-format on

// all_gather of a plain V: the op with the gather dim bound, and the rule that also checks that an
// S<e> operand does not contradict the dim.
template <int Dim>
struct all_gather_at {
  template <fixed_string Axes, class Src, class Dst>
  using op = all_gather_op<Axes, Src, Dst, Dim>;
  static constexpr auto rule = []<class A, class Src, class D>() {
    if constexpr (dim_of<Src, Dim> != Dim) {
      static_assert(spmd::detail::always_false<A, Src, D>,
                    "spmd: all_gather<axis, Dst, d>: the operand is S<e> with e != d on this mesh axis; drop d "
                    "(the shard records its dim) or convert the shard to V first");
      return false;
    } else {
      return rules::all_gather_allowed<A, Src, D>();
    }
  };
};
template <fixed_string Axes, class Src, class Dst>
using all_gather_default = all_gather_op<Axes, Src, Dst>;

/// The result of a call refused for its local tensor type (after the diagnostic): a default
/// tensor of the destination type, so that no follow-up errors bury the diagnostic.
template <fixed_string Axes, class Dst, class T>
auto refused() {
  return with_placement_t<std::remove_cvref_t<T>, Axes, Dst>{};
}
}  // namespace comm::detail

/// Sums a pending sum (P, or V taken as P) over the ranks of `Axes`; the result is `Dst` (R or I)
/// there. Backward: all_reduce<R> for R, convert(I, R) for I.
/// `all_reduce<"tp", R>(r, y)`; with the source stated: `all_reduce<"tp", P, R>(r, y)`.
template <fixed_string Axes, placement Dst, typed_tensor T, rank_context Rank>
auto all_reduce(Rank& r, T&& x) {
  if constexpr (!comm::detail::movable_local<comm::detail::local_of<T>>())
    return comm::detail::refused<Axes, Dst, T>();
  else
    return comm::detail::dispatch<comm::all_reduce_op, Axes, void, Dst>(comm::detail::all_reduce_rule, r,
                                                                        std::forward<T>(x));
}
template <fixed_string Axes, placement Src, placement Dst, typed_tensor T, rank_context Rank>
auto all_reduce(Rank& r, T&& x) {
  if constexpr (!comm::detail::movable_local<comm::detail::local_of<T>>())
    return comm::detail::refused<Axes, Dst, T>();
  else
    return comm::detail::dispatch<comm::all_reduce_op, Axes, Src, Dst>(comm::detail::all_reduce_rule, r,
                                                                       std::forward<T>(x));
}

/// Sums a pending sum (P, or V taken as P) over `Axes` and leaves rank i chunk i along dim d:
/// the result is `Dst` = S<d> (or spell the dim: `reduce_scatter<"tp", 0>`). `sizes` gives uneven
/// per-rank extents along d. Backward: all_gather<R>.
template <fixed_string Axes, placement Dst, typed_tensor T, rank_context Rank>
auto reduce_scatter(Rank& r, T&& x, split_sizes sizes = {}) {
  if constexpr (!comm::detail::sliceable_local<comm::detail::local_of<T>>())
    return comm::detail::refused<Axes, Dst, T>();
  else
    return comm::detail::dispatch<comm::reduce_scatter_op, Axes, void, Dst>(comm::detail::reduce_scatter_rule, r,
                                                                            std::forward<T>(x), sizes);
}
template <fixed_string Axes, int Dim, typed_tensor T, rank_context Rank>
auto reduce_scatter(Rank& r, T&& x, split_sizes sizes = {}) {
  if constexpr (!comm::detail::sliceable_local<comm::detail::local_of<T>>())
    return comm::detail::refused<Axes, S<Dim>, T>();
  else
    return comm::detail::dispatch<comm::reduce_scatter_op, Axes, void, S<Dim>>(comm::detail::reduce_scatter_rule, r,
                                                                               std::forward<T>(x), sizes);
}
template <fixed_string Axes, placement Src, placement Dst, typed_tensor T, rank_context Rank>
auto reduce_scatter(Rank& r, T&& x, split_sizes sizes = {}) {
  if constexpr (!comm::detail::sliceable_local<comm::detail::local_of<T>>())
    return comm::detail::refused<Axes, Dst, T>();
  else
    return comm::detail::dispatch<comm::reduce_scatter_op, Axes, Src, Dst>(comm::detail::reduce_scatter_rule, r,
                                                                           std::forward<T>(x), sizes);
}

/// Concatenates the shards of `Axes` along their dim (S<d>), on every rank: the result is `Dst`
/// (R or I) there. A plain V needs the dim: `all_gather<"tp", R, 0>`. `sizes` gives uneven
/// per-rank extents. Backward: reduce_scatter for R, convert(I, S<d>) for I.
template <fixed_string Axes, placement Dst, typed_tensor T, rank_context Rank>
auto all_gather(Rank& r, T&& x, split_sizes sizes = {}) {
  if constexpr (!comm::detail::sliceable_local<comm::detail::local_of<T>>())
    return comm::detail::refused<Axes, Dst, T>();
  else
    return comm::detail::dispatch<comm::detail::all_gather_default, Axes, void, Dst>(comm::detail::all_gather_rule, r,
                                                                                     std::forward<T>(x), sizes);
}
template <fixed_string Axes, placement Dst, int Dim, typed_tensor T, rank_context Rank>
auto all_gather(Rank& r, T&& x, split_sizes sizes = {}) {
  if constexpr (!comm::detail::sliceable_local<comm::detail::local_of<T>>())
    return comm::detail::refused<Axes, Dst, T>();
  else
    return comm::detail::dispatch<comm::detail::all_gather_at<Dim>::template op, Axes, void, Dst>(
        comm::detail::all_gather_at<Dim>::rule, r, std::forward<T>(x), sizes);
}
template <fixed_string Axes, placement Src, placement Dst, typed_tensor T, rank_context Rank>
auto all_gather(Rank& r, T&& x, split_sizes sizes = {}) {
  if constexpr (!comm::detail::sliceable_local<comm::detail::local_of<T>>())
    return comm::detail::refused<Axes, Dst, T>();
  else
    return comm::detail::dispatch<comm::detail::all_gather_default, Axes, Src, Dst>(comm::detail::all_gather_rule, r,
                                                                                    std::forward<T>(x), sizes);
}

/// all_gather into `out`, a tensor that already has the result's type and shape: the destination
/// placement (R or I) is read from `out`'s type, which must be the operand's type with only the
/// placements on `Axes` changed. Reusing `out` from call to call allocates nothing (when the
/// gather dim is the outermost one). Returns `out`. Not recorded by autograd.
/// `all_gather_into<"tp">(r, x, out)`; for a plain V name the dim: `all_gather_into<"tp", 0>(...)`.
template <fixed_string Axes, typed_tensor T, typed_tensor Out, rank_context Rank>
Out& all_gather_into(Rank& r, T const& x, Out& out, split_sizes sizes = {}) {
  if constexpr (!comm::detail::sliceable_local<comm::detail::local_of<T>>())
    return out;
  else
    return comm::detail::dispatch_into<comm::detail::all_gather_default, Axes>(comm::detail::all_gather_rule, r, x, out,
                                                                               sizes);
}
template <fixed_string Axes, int Dim, typed_tensor T, typed_tensor Out, rank_context Rank>
Out& all_gather_into(Rank& r, T const& x, Out& out, split_sizes sizes = {}) {
  if constexpr (!comm::detail::sliceable_local<comm::detail::local_of<T>>())
    return out;
  else
    return comm::detail::dispatch_into<comm::detail::all_gather_at<Dim>::template op, Axes>(
        comm::detail::all_gather_at<Dim>::rule, r, x, out, sizes);
}

/// reduce_scatter into `out`, a tensor that already has the result's type and shape: the
/// destination S<d> is read from `out`'s type, which must be the operand's type with only the
/// placements on `Axes` changed. Reusing `out` from call to call allocates nothing (when d is the
/// outermost dim). Returns `out`. Not recorded by autograd. `reduce_scatter_into<"tp">(r, y, out)`.
template <fixed_string Axes, typed_tensor T, typed_tensor Out, rank_context Rank>
Out& reduce_scatter_into(Rank& r, T const& x, Out& out, split_sizes sizes = {}) {
  if constexpr (!comm::detail::sliceable_local<comm::detail::local_of<T>>())
    return out;
  else
    return comm::detail::dispatch_into<comm::reduce_scatter_op, Axes>(comm::detail::reduce_scatter_rule, r, x, out,
                                                                      sizes);
}

/// Moves the shard of `Axes` from its dim a (S<a>) to dim b: the result is `Dst` = S<b>.
/// `src_sizes`/`dst_sizes` give uneven extents along a and b. Backward: all_to_all back to S<a>.
template <fixed_string Axes, placement Dst, typed_tensor T, rank_context Rank>
auto all_to_all(Rank& r, T&& x, split_sizes src_sizes = {}, split_sizes dst_sizes = {}) {
  if constexpr (!comm::detail::sliceable_local<comm::detail::local_of<T>>())
    return comm::detail::refused<Axes, Dst, T>();
  else
    return comm::detail::dispatch<comm::all_to_all_op, Axes, void, Dst>(comm::detail::all_to_all_rule, r,
                                                                        std::forward<T>(x), src_sizes, dst_sizes);
}
template <fixed_string Axes, placement Src, placement Dst, typed_tensor T, rank_context Rank>
auto all_to_all(Rank& r, T&& x, split_sizes src_sizes = {}, split_sizes dst_sizes = {}) {
  if constexpr (!comm::detail::sliceable_local<comm::detail::local_of<T>>())
    return comm::detail::refused<Axes, Dst, T>();
  else
    return comm::detail::dispatch<comm::all_to_all_op, Axes, Src, Dst>(comm::detail::all_to_all_rule, r,
                                                                       std::forward<T>(x), src_sizes, dst_sizes);
}

}  // namespace spmd
