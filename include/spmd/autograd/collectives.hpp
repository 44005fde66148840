// spmd/autograd/collectives.hpp - differentiable collectives, converts and reinterprets.
//
// The forward is the typed collective (with all its checks); the backward is the op type's
// backward (spmd::comm::backward_t), e.g. all_gather<R> backs through reduce_scatter.
#pragma once

#include <type_traits>
#include <utility>

#include <spmd/autograd/tape.hpp>
#include <spmd/comm.hpp>
#include <spmd/comm/redistribute.hpp>

namespace spmd::autograd {

namespace detail {
// Records `out` = Op(x); its backward runs Op's backward with the split sizes of the forward,
// copied (the caller's spans need not outlive the backward).
// An op without a backward is one the forward call rejected (every legal transition has one,
// tests/compile_pass/collective_laws.cpp): nothing is recorded, so that its diagnostic stays the
// only error.
template <class Op, class Rank, typed_tensor T, class Out>
var<Out> record_comm(Rank& r, var<T> const& x, Out out, split_sizes sizes = {}, split_sizes dst_sizes = {}) {
  if constexpr (!requires { typename comm::backward_of<Op>::type; }) {
    return var<Out>{std::move(out)};
  } else {
    return record(x.tape(), std::move(out), x.requires_grad(),
                  [&r, x, saved = comm::saved_sizes(sizes, dst_sizes)](grad_t<Out> const& g) {
                    x.accumulate(comm::apply_backward<Op>(r, g, saved));
                  });
  }
}
template <fixed_string Axes, class T>
using src_t = comm::source_placement_t<T, Axes>;
}  // namespace detail

/// all_reduce on a variable; backward: all_reduce<R> for R, convert(I, R) for I.
template <fixed_string Axes, placement Dst, rank_context Rank, typed_tensor T>
auto all_reduce(Rank& r, var<T> const& x) {
  auto out = spmd::all_reduce<Axes, Dst>(r, x.value());
  return detail::record_comm<comm::all_reduce_op<Axes, detail::src_t<Axes, T>, Dst>>(r, x, std::move(out));
}

/// reduce_scatter to S<Dim> on a variable (`sizes`: uneven per-rank extents along Dim); backward:
/// all_gather<R> with the same sizes.
template <fixed_string Axes, int Dim, rank_context Rank, typed_tensor T>
auto reduce_scatter(Rank& r, var<T> const& x, split_sizes sizes = {}) {
  auto out = spmd::reduce_scatter<Axes, Dim>(r, x.value(), sizes);
  return detail::record_comm<comm::reduce_scatter_op<Axes, detail::src_t<Axes, T>, S<Dim>>>(r, x, std::move(out),
                                                                                            sizes);
}

/// all_gather of a shard on a variable (`sizes`: uneven per-rank extents along its dim); backward:
/// reduce_scatter for R, convert(I, S<d>) for I, with the same sizes.
template <fixed_string Axes, placement Dst, rank_context Rank, typed_tensor T>
auto all_gather(Rank& r, var<T> const& x, split_sizes sizes = {}) {
  auto out = spmd::all_gather<Axes, Dst>(r, x.value(), sizes);
  return detail::record_comm<comm::all_gather_op<Axes, detail::src_t<Axes, T>, Dst>>(r, x, std::move(out), sizes);
}

/// all_gather of a plain V on a variable, concatenated along `Dim` (as all_gather<Axes, Dst, Dim>
/// on tensors); backward: the rank's chunk along Dim of the gradient (summed over the ranks for R).
template <fixed_string Axes, placement Dst, int Dim, rank_context Rank, typed_tensor T>
auto all_gather(Rank& r, var<T> const& x, split_sizes sizes = {}) {
  auto out = spmd::all_gather<Axes, Dst, Dim>(r, x.value(), sizes);
  return detail::record_comm<comm::all_gather_op<Axes, detail::src_t<Axes, T>, Dst, Dim>>(r, x, std::move(out), sizes);
}

/// all_to_all on a variable (`src_sizes`/`dst_sizes`: uneven extents along the source and
/// destination dims); backward: all_to_all back, with the sizes swapped.
template <fixed_string Axes, placement Dst, rank_context Rank, typed_tensor T>
auto all_to_all(Rank& r, var<T> const& x, split_sizes src_sizes = {}, split_sizes dst_sizes = {}) {
  auto out = spmd::all_to_all<Axes, Dst>(r, x.value(), src_sizes, dst_sizes);
  return detail::record_comm<comm::all_to_all_op<Axes, detail::src_t<Axes, T>, Dst>>(r, x, std::move(out), src_sizes,
                                                                                     dst_sizes);
}

/// convert on a variable (e.g. convert<"tp", I, R>: identity forward, all-reduce backward).
/// `sizes`: uneven chunk extents of R|I -> S<d> (backward: the shard placed at its offset) or of
/// S<d> -> P in expert mode.
template <fixed_string Axes, placement Src, placement Dst, rank_context Rank, typed_tensor T>
auto convert(Rank& r, var<T> const& x, split_sizes sizes = {}) {
  auto out = spmd::convert<Axes, Src, Dst>(r, x.value(), sizes);
  return detail::record_comm<comm::convert_op<Axes, Src, Dst>>(r, x, std::move(out), sizes);
}
template <fixed_string Axes, placement Src, placement Dst, rank_context Rank, typed_tensor T>
auto convert(Rank& r, var<T> const& x, expert_t, split_sizes sizes = {}) {
  auto out = spmd::convert<Axes, Src, Dst>(r, x.value(), expert, sizes);
  return detail::record_comm<comm::convert_op<Axes, Src, Dst>>(r, x, std::move(out), sizes);
}

/// reinterpret on a variable (e.g. reinterpret<"tp", V, P>).
template <fixed_string Axes, placement Src, placement Dst, rank_context Rank, typed_tensor T, class... Expert>
  requires(sizeof...(Expert) <= 1 && (std::is_same_v<Expert, expert_t> && ...))
auto reinterpret(Rank& r, var<T> const& x, Expert... e) {
  auto out = spmd::reinterpret<Axes, Src, Dst>(x.value(), e...);
  return detail::record_comm<comm::reinterpret_op<Axes, Src, Dst>>(r, x, std::move(out));
}

namespace detail {
// How each kind of step of a redistribution runs on variables (see comm::tensor_steps).
struct variable_steps {
  template <comm::step_kind K, fixed_string Axis, placement Src, placement Dst, bool Expert, class Rank, class T>
  static auto apply(Rank& r, var<T> const& x, split_sizes gathered, split_sizes created) {
    if constexpr (K == comm::step_kind::all_reduce)
      return autograd::all_reduce<Axis, Dst>(r, x);
    else if constexpr (K == comm::step_kind::reduce_scatter)
      return autograd::reduce_scatter<Axis, Dst::dim>(r, x, created);
    else if constexpr (K == comm::step_kind::all_gather)
      return autograd::all_gather<Axis, Dst>(r, x, gathered);
    else if constexpr (K == comm::step_kind::all_to_all)
      return autograd::all_to_all<Axis, Dst>(r, x, gathered, created);
    else if constexpr (K == comm::step_kind::convert && Expert)
      return autograd::convert<Axis, Src, Dst>(r, x, expert, shard_placement<Dst> ? created : gathered);
    else if constexpr (K == comm::step_kind::convert)
      return autograd::convert<Axis, Src, Dst>(r, x, shard_placement<Dst> ? created : gathered);
    else if constexpr (Expert)
      return autograd::reinterpret<Axis, Src, Dst>(r, x, expert);
    else
      return autograd::reinterpret<Axis, Src, Dst>(r, x);
  }
};
}  // namespace detail

namespace detail {
// The steps of a plan in an order the local types do not record (see
// comm::tensor_steps_in_plan_order), on variables: each recorded with its backward.
struct variable_steps_in_plan_order {
  template <comm::step_kind K, fixed_string Axis, placement Src, placement Dst, bool Expert, class Rank, class T>
  static auto apply(Rank& r, var<T> const& x, split_sizes gathered, split_sizes created) {
    using steps = comm::tensor_steps_in_plan_order;
    auto out = steps::apply<K, Axis, Src, Dst, Expert>(r, x.value(), gathered, created);
    return record_comm<comm::step_op_t<K, Axis, Src, Dst>>(r, x, std::move(out),
                                                           steps::sizes<K, Dst>(gathered, created),
                                                           steps::dst_sizes<K>(created));
  }
};
}  // namespace detail

/// redistribute on a variable: the same plan as spmd::redistribute, each step recorded with its
/// backward (with the same split sizes: `redistribute<L>(r, x, split_on<"tp">(sizes))`).
// (clang-format 14 misreads a fold expression in a constraint)
// clang-format off
template <class Layout, rank_context Rank, typed_tensor T, class... Splits>
  requires(comm::is_axis_split<Splits> && ...)
auto redistribute(Rank& r, var<T> const& x, Splits const&... splits) {
  // clang-format on
  return comm::detail::redistribute<detail::variable_steps, Layout, false, T>(r, x, splits...);
}
// (clang-format 14 misreads a fold expression in a constraint)
// clang-format off
template <class Layout, rank_context Rank, typed_tensor T, class... Splits>
  requires(comm::is_axis_split<Splits> && ...)
auto redistribute(Rank& r, var<T> const& x, expert_t, Splits const&... splits) {
  // clang-format on
  return comm::detail::redistribute<detail::variable_steps, Layout, true, T>(r, x, splits...);
}

}  // namespace spmd::autograd
