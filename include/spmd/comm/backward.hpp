// spmd/comm/backward.hpp - the backward of every typed collective, convert and reinterpret, as a
// table of op types (docs/collectives.md, "Backward as a type"), and the call that runs it with
// the split sizes its forward ran with. Autograd uses `backward_t<Op>` to run the backward of an
// op it recorded.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include <spmd/comm/ops.hpp>
#include <spmd/core/fixed_string.hpp>
#include <spmd/core/grad.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/tensor.hpp>

namespace spmd::comm {

/// The backward of op `Op`: the op that maps the gradient of its output to the gradient of its
/// input (docs/collectives.md, "Backward as a type").
template <class Op>
struct backward_of;
template <class Op>
using backward_t = typename backward_of<Op>::type;

namespace detail {
template <class... Ops>
struct reversed_backward;
template <>
struct reversed_backward<> {
  using type = composed_op<>;
};
template <class First, class... Rest>
struct reversed_backward<First, Rest...> {
  template <class Composed, class Op>
  struct append;
  template <class... Cs, class Op>
  struct append<composed_op<Cs...>, Op> {
    using type = composed_op<Cs..., Op>;
  };
  using type = typename append<typename reversed_backward<Rest...>::type, backward_t<First>>::type;
};
template <class Op>
inline constexpr bool is_all_to_all = false;
template <fixed_string A, class Src, class Dst>
inline constexpr bool is_all_to_all<all_to_all_op<A, Src, Dst>> = true;
}  // namespace detail

/// Runs the backward of op `Op` on `g`, the gradient of its output, with the split sizes the
/// forward ran with: `sizes` (for all_to_all: its src_sizes) and `dst_sizes` (all_to_all only).
/// all_gather's backward reduce_scatters with the same sizes, convert(R, S<d>)'s places the shard
/// at its offset, all_to_all's goes back with src and dst swapped.
template <class Op, class Rank, typed_tensor G>
auto apply_backward(Rank& r, G&& g, split_sizes sizes = {}, split_sizes dst_sizes = {}) {
  if constexpr (detail::is_all_to_all<Op>)
    return backward_t<Op>::apply(r, std::forward<G>(g), dst_sizes, sizes);
  else
    return backward_t<Op>::apply(r, std::forward<G>(g), sizes);
}

/// The split sizes of one call of a collective, owned: what its backward needs again after the
/// caller's spans are gone. (No allocation for even splits: their sizes are empty.)
struct saved_sizes {
  std::vector<std::size_t> sizes, dst_sizes;
  explicit saved_sizes(split_sizes s = {}, split_sizes d = {})
      : sizes(s.begin(), s.end()), dst_sizes(d.begin(), d.end()) {}
};

/// apply_backward with saved sizes.
template <class Op, class Rank, typed_tensor G>
auto apply_backward(Rank& r, G&& g, saved_sizes const& saved) {
  return apply_backward<Op>(r, std::forward<G>(g), saved.sizes, saved.dst_sizes);
}

// clang-format off
template <fixed_string A> struct backward_of<all_reduce_op<A, P, R>> { using type = all_reduce_op<A, P, R>; };
template <fixed_string A> struct backward_of<all_reduce_op<A, P, I>> { using type = convert_op<A, I, R>; };
template <fixed_string A> struct backward_of<all_reduce_op<A, V, I>> { using type = reinterpret_op<A, I, V>; };
template <fixed_string A> struct backward_of<all_reduce_op<A, V, R>> { using type = composed_op<all_reduce_op<A, P, R>, reinterpret_op<A, R, V>>; };
template <fixed_string A, int D> struct backward_of<reduce_scatter_op<A, P, S<D>>> { using type = all_gather_op<A, S<D>, R>; };
template <fixed_string A, int D> struct backward_of<reduce_scatter_op<A, V, S<D>>> { using type = composed_op<all_gather_op<A, S<D>, R>, reinterpret_op<A, R, V>>; };
template <fixed_string A, int D> struct backward_of<all_gather_op<A, S<D>, R>> { using type = reduce_scatter_op<A, P, S<D>>; };
template <fixed_string A, int D> struct backward_of<all_gather_op<A, S<D>, I>> { using type = convert_op<A, I, S<D>>; };
template <fixed_string A, int D> struct backward_of<all_gather_op<A, V, R, D>> { using type = composed_op<reduce_scatter_op<A, P, S<D>>, convert_op<A, S<D>, V>>; };
template <fixed_string A, int D> struct backward_of<all_gather_op<A, V, I, D>> { using type = composed_op<convert_op<A, I, S<D>>, convert_op<A, S<D>, V>>; };
template <fixed_string A, int Da, int Db> struct backward_of<all_to_all_op<A, S<Da>, S<Db>>> { using type = all_to_all_op<A, S<Db>, S<Da>>; };
template <fixed_string A> struct backward_of<convert_op<A, R, I>> { using type = convert_op<A, I, P>; };
template <fixed_string A> struct backward_of<convert_op<A, I, P>> { using type = convert_op<A, R, I>; };
template <fixed_string A> struct backward_of<convert_op<A, I, R>> { using type = all_reduce_op<A, P, I>; };
template <fixed_string A> struct backward_of<convert_op<A, R, P>> { using type = convert_op<A, R, P>; };
template <fixed_string A, int D> struct backward_of<convert_op<A, R, S<D>>> { using type = convert_op<A, S<D>, P>; };
template <fixed_string A, int D> struct backward_of<convert_op<A, S<D>, P>> { using type = convert_op<A, R, S<D>>; };
template <fixed_string A, int D> struct backward_of<convert_op<A, I, S<D>>> { using type = all_gather_op<A, S<D>, I>; };
template <fixed_string A, int D> struct backward_of<convert_op<A, V, S<D>>> { using type = convert_op<A, S<D>, V>; };
template <fixed_string A, int D> struct backward_of<convert_op<A, S<D>, V>> { using type = convert_op<A, V, S<D>>; };
template <fixed_string A, placement T> struct backward_of<convert_op<A, T, T>> { using type = convert_op<A, grad_t<T>, grad_t<T>>; };
template <fixed_string A> struct backward_of<reinterpret_op<A, R, V>> { using type = reinterpret_op<A, V, P>; };
template <fixed_string A> struct backward_of<reinterpret_op<A, V, P>> { using type = reinterpret_op<A, R, V>; };
template <fixed_string A> struct backward_of<reinterpret_op<A, I, V>> { using type = all_reduce_op<A, V, I>; };
template <fixed_string A> struct backward_of<reinterpret_op<A, R, P>> { using type = reinterpret_op<A, R, P>; };
template <fixed_string A> struct backward_of<reinterpret_op<A, R, I>> { using type = convert_op<A, I, P>; };
template <fixed_string A> struct backward_of<reinterpret_op<A, I, R>> { using type = all_reduce_op<A, P, I>; };
template <fixed_string A, placement T> struct backward_of<reinterpret_op<A, T, T>> { using type = reinterpret_op<A, grad_t<T>, grad_t<T>>; };
template <class... Ops> struct backward_of<composed_op<Ops...>> { using type = typename detail::reversed_backward<Ops...>::type; };
// clang-format on

}  // namespace spmd::comm
