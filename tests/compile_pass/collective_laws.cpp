// Laws of the typed collectives, converts and reinterprets: building this file is passing.
//  1. Every op's backward maps the gradient of its output type to the gradient of its input type.
//  2. The backward of the backward is the forward (for the ops of the table in docs/collectives.md).
//  3. The forward/backward pairs are those of docs/collectives.md, "Backward as a type".
#include <type_traits>
#include <utility>

#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using namespace spmd::comm;

namespace {

using Mesh = mesh<"dp", "tp">;
template <class P>
using T = tensor<local::dense<float, 2>, Mesh, layout<V, P>>;

template <class Op, class In>
using out_t = decltype(Op::apply(std::declval<threads::rank&>(), std::declval<In>()));

// Law 1, for op `Op` applied to a tensor placed `Src` on tp.
template <class Op, class Src>
constexpr bool backward_types_gradients() {
  using in = T<Src>;
  using out = out_t<Op, in>;
  using back = out_t<backward_t<Op>, grad_t<out>>;
  return std::is_same_v<back, grad_t<in>>;
}

// clang-format off
static_assert(backward_types_gradients<all_reduce_op<"tp", P, R>, P>());
static_assert(backward_types_gradients<all_reduce_op<"tp", P, I>, P>());
static_assert(backward_types_gradients<all_reduce_op<"tp", V, R>, V>());
static_assert(backward_types_gradients<all_reduce_op<"tp", V, I>, V>());
static_assert(backward_types_gradients<reduce_scatter_op<"tp", P, S<0>>, P>());
static_assert(backward_types_gradients<reduce_scatter_op<"tp", V, S<1>>, V>());
static_assert(backward_types_gradients<all_gather_op<"tp", S<0>, R>, S<0>>());
static_assert(backward_types_gradients<all_gather_op<"tp", S<1>, I>, S<1>>());
static_assert(backward_types_gradients<all_gather_op<"tp", V, R, 1>, V>());
static_assert(backward_types_gradients<all_gather_op<"tp", V, I, 0>, V>());
static_assert(backward_types_gradients<all_to_all_op<"tp", S<0>, S<1>>, S<0>>());
static_assert(backward_types_gradients<convert_op<"tp", R, I>, R>());
static_assert(backward_types_gradients<convert_op<"tp", I, R>, I>());
static_assert(backward_types_gradients<convert_op<"tp", I, P>, I>());
static_assert(backward_types_gradients<convert_op<"tp", R, P>, R>());
static_assert(backward_types_gradients<convert_op<"tp", R, S<1>>, R>());
static_assert(backward_types_gradients<convert_op<"tp", I, S<0>>, I>());
static_assert(backward_types_gradients<convert_op<"tp", S<1>, P>, S<1>>());
static_assert(backward_types_gradients<convert_op<"tp", V, S<0>>, V>());
static_assert(backward_types_gradients<convert_op<"tp", S<0>, V>, S<0>>());
static_assert(backward_types_gradients<reinterpret_op<"tp", R, V>, R>());
static_assert(backward_types_gradients<reinterpret_op<"tp", I, V>, I>());
static_assert(backward_types_gradients<reinterpret_op<"tp", V, P>, V>());
static_assert(backward_types_gradients<reinterpret_op<"tp", R, P>, R>());
static_assert(backward_types_gradients<reinterpret_op<"tp", R, I>, R>());
static_assert(backward_types_gradients<reinterpret_op<"tp", I, R>, I>());
// Flattened axes: the same law.
static_assert(std::is_same_v<out_t<backward_t<all_gather_op<"dp,tp", S<0>, R>>,
                                   grad_t<out_t<all_gather_op<"dp,tp", S<0>, R>, tensor<local::dense<float, 2>, Mesh, layout<S<0>, S<0>>>>>>,
                             tensor<local::dense<float, 2>, Mesh, layout<S<0>, S<0>>>>);

// Law 2: the backward of the backward is the forward.
template <class Op>
constexpr bool involution = std::is_same_v<backward_t<backward_t<Op>>, Op>;
static_assert(involution<all_reduce_op<"tp", P, R>> && involution<all_reduce_op<"tp", P, I>>);
static_assert(involution<all_reduce_op<"tp", V, I>>);
static_assert(involution<reduce_scatter_op<"tp", P, S<0>>> && involution<all_gather_op<"tp", S<1>, R>>);
static_assert(involution<all_gather_op<"tp", S<0>, I>> && involution<all_to_all_op<"tp", S<0>, S<1>>>);
static_assert(involution<convert_op<"tp", R, I>> && involution<convert_op<"tp", I, P>> && involution<convert_op<"tp", I, R>>);
static_assert(involution<convert_op<"tp", R, P>> && involution<convert_op<"tp", R, S<0>>> && involution<convert_op<"tp", S<0>, P>>);
static_assert(involution<convert_op<"tp", I, S<1>>> && involution<convert_op<"tp", V, S<1>>>);
static_assert(involution<reinterpret_op<"tp", R, V>> && involution<reinterpret_op<"tp", V, P>>);
static_assert(involution<reinterpret_op<"tp", I, V>> && involution<reinterpret_op<"tp", R, P>>);

// Law 3: the forward/backward table of docs/collectives.md.
static_assert(std::is_same_v<backward_t<convert_op<"tp", R, I>>, convert_op<"tp", I, P>>);
static_assert(std::is_same_v<backward_t<convert_op<"tp", R, S<0>>>, convert_op<"tp", S<0>, P>>);
static_assert(std::is_same_v<backward_t<reinterpret_op<"tp", R, V>>, reinterpret_op<"tp", V, P>>);
static_assert(std::is_same_v<backward_t<convert_op<"tp", R, P>>, convert_op<"tp", R, P>>);
static_assert(std::is_same_v<backward_t<reinterpret_op<"tp", R, P>>, reinterpret_op<"tp", R, P>>);
static_assert(std::is_same_v<backward_t<convert_op<"tp", I, R>>, all_reduce_op<"tp", P, I>>);
static_assert(std::is_same_v<backward_t<convert_op<"tp", I, S<1>>>, all_gather_op<"tp", S<1>, I>>);
static_assert(std::is_same_v<backward_t<all_gather_op<"tp", S<0>, R>>, reduce_scatter_op<"tp", P, S<0>>>);
static_assert(std::is_same_v<backward_t<all_to_all_op<"tp", S<0>, S<1>>>, all_to_all_op<"tp", S<1>, S<0>>>);
static_assert(std::is_same_v<backward_t<all_reduce_op<"tp", P, R>>, all_reduce_op<"tp", P, R>>);
static_assert(std::is_same_v<backward_t<all_reduce_op<"tp", P, I>>, convert_op<"tp", I, R>>);
// clang-format on

// The legal transitions of the user-facing functions, including the expert ones with the tag.
template <class X>
X make();
using Rk = threads::rank;
static_assert(std::is_same_v<decltype(all_gather<"tp", R>(make<Rk&>(), make<T<S<0>>>())), T<R>>);
static_assert(std::is_same_v<decltype(reduce_scatter<"tp", 1>(make<Rk&>(), make<T<P>>())), T<S<1>>>);
static_assert(std::is_same_v<decltype(all_reduce<"tp", P, I>(make<Rk&>(), make<T<P>>())), T<I>>);
static_assert(std::is_same_v<decltype(all_to_all<"tp", S<0>, S<1>>(make<Rk&>(), make<T<S<0>>>())), T<S<1>>>);
static_assert(std::is_same_v<decltype(convert<"tp", I, R>(make<Rk&>(), make<T<I>>())), T<R>>);
static_assert(std::is_same_v<decltype(convert<"tp", R, I>(make<Rk&>(), make<T<R>>(), expert)), T<I>>);
static_assert(std::is_same_v<decltype(convert<"tp", I, P>(make<Rk&>(), make<T<I>>(), expert)), T<P>>);
static_assert(std::is_same_v<decltype(convert<"tp", S<1>, P>(make<Rk&>(), make<T<S<1>>>(), expert)), T<P>>);
static_assert(std::is_same_v<decltype(reinterpret<"tp", R, V>(make<T<R>>(), expert)), T<V>>);
static_assert(std::is_same_v<decltype(reinterpret<"tp", R, I>(make<T<R>>(), expert)), T<I>>);
static_assert(std::is_same_v<decltype(reinterpret<"tp", I, R>(make<T<I>>(), expert)), T<R>>);
static_assert(std::is_same_v<decltype(reinterpret<"tp", I, V>(make<T<I>>())), T<V>>);

}  // namespace
