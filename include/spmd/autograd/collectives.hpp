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
template <class Op, class Rank, typed_tensor T, class Out>
var<Out> record_comm(Rank& r, var<T> const& x, Out out) {
  return record(x.tape(), std::move(out), x.requires_grad(), [&r, x](grad_t<Out> const& g) {
    x.accumulate(comm::backward_t<Op>::apply(r, g));
  });
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

/// reduce_scatter to S<Dim> on a variable; backward: all_gather<R>.
template <fixed_string Axes, int Dim, rank_context Rank, typed_tensor T>
auto reduce_scatter(Rank& r, var<T> const& x) {
  auto out = spmd::reduce_scatter<Axes, Dim>(r, x.value());
  return detail::record_comm<comm::reduce_scatter_op<Axes, detail::src_t<Axes, T>, S<Dim>>>(r, x, std::move(out));
}

/// all_gather of a shard on a variable; backward: reduce_scatter for R, convert(I, S<d>) for I.
template <fixed_string Axes, placement Dst, rank_context Rank, typed_tensor T>
auto all_gather(Rank& r, var<T> const& x) {
  auto out = spmd::all_gather<Axes, Dst>(r, x.value());
  return detail::record_comm<comm::all_gather_op<Axes, detail::src_t<Axes, T>, Dst>>(r, x, std::move(out));
}

/// all_to_all on a variable; backward: all_to_all back.
template <fixed_string Axes, placement Dst, rank_context Rank, typed_tensor T>
auto all_to_all(Rank& r, var<T> const& x) {
  auto out = spmd::all_to_all<Axes, Dst>(r, x.value());
  return detail::record_comm<comm::all_to_all_op<Axes, detail::src_t<Axes, T>, Dst>>(r, x, std::move(out));
}

/// convert on a variable (e.g. convert<"tp", I, R>: identity forward, all-reduce backward).
template <fixed_string Axes, placement Src, placement Dst, rank_context Rank, typed_tensor T, class... Expert>
  requires(sizeof...(Expert) <= 1 && (std::is_same_v<Expert, expert_t> && ...))
auto convert(Rank& r, var<T> const& x, Expert... e) {
  auto out = spmd::convert<Axes, Src, Dst>(r, x.value(), e...);
  return detail::record_comm<comm::convert_op<Axes, Src, Dst>>(r, x, std::move(out));
}

/// reinterpret on a variable (e.g. reinterpret<"tp", V, P>).
template <fixed_string Axes, placement Src, placement Dst, rank_context Rank, typed_tensor T, class... Expert>
  requires(sizeof...(Expert) <= 1 && (std::is_same_v<Expert, expert_t> && ...))
auto reinterpret(Rank& r, var<T> const& x, Expert... e) {
  auto out = spmd::reinterpret<Axes, Src, Dst>(x.value(), e...);
  return detail::record_comm<comm::reinterpret_op<Axes, Src, Dst>>(r, x, std::move(out));
}

namespace detail {
// How each kind of step of a redistribution runs on variables.
struct variable_steps {
  template <comm::step_kind K, fixed_string Axis, placement Src, placement Dst, bool Expert, class Rank, class T>
  static auto apply(Rank& r, var<T> const& x) {
    if constexpr (K == comm::step_kind::all_reduce)
      return autograd::all_reduce<Axis, Dst>(r, x);
    else if constexpr (K == comm::step_kind::reduce_scatter)
      return autograd::reduce_scatter<Axis, Dst::dim>(r, x);
    else if constexpr (K == comm::step_kind::all_gather)
      return autograd::all_gather<Axis, Dst>(r, x);
    else if constexpr (K == comm::step_kind::all_to_all)
      return autograd::all_to_all<Axis, Dst>(r, x);
    else if constexpr (K == comm::step_kind::convert && Expert)
      return autograd::convert<Axis, Src, Dst>(r, x, expert);
    else if constexpr (K == comm::step_kind::convert)
      return autograd::convert<Axis, Src, Dst>(r, x);
    else if constexpr (Expert)
      return autograd::reinterpret<Axis, Src, Dst>(r, x, expert);
    else
      return autograd::reinterpret<Axis, Src, Dst>(r, x);
  }
};
}  // namespace detail

/// redistribute on a variable: the same plan as spmd::redistribute, each step recorded with its
/// backward.
template <class Layout, rank_context Rank, typed_tensor T>
auto redistribute(Rank& r, var<T> const& x) {
  return comm::detail::redistribute<detail::variable_steps, Layout, false, T>(r, x);
}
template <class Layout, rank_context Rank, typed_tensor T>
auto redistribute(Rank& r, var<T> const& x, expert_t) {
  return comm::detail::redistribute<detail::variable_steps, Layout, true, T>(r, x);
}

}  // namespace spmd::autograd
