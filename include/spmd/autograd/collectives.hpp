// spmd/autograd/collectives.hpp - differentiable collectives, converts and reinterprets.
//
// The forward is the typed collective (with all its checks); the backward is the op type's
// backward (spmd::comm::backward_t), e.g. all_gather<R> backs through reduce_scatter.
#pragma once

#include <type_traits>
#include <utility>

#include <spmd/autograd/tape.hpp>
#include <spmd/comm.hpp>

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

}  // namespace spmd::autograd
