// The explicit ways out of a shard's rules (docs/rules.md, "a shard is a shard"): building
// this file is passing. Each mistake they replace is a tests/compile_fail case.
#include <spmd/comm.hpp>
#include <spmd/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;

namespace {

using M = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;
template <class Dp, class Tp>
using T = tensor<F2, M, layout<Dp, Tp>>;
template <class X>
X make();
template <class A, class B>
constexpr bool same = std::is_same_v<A, B>;
using Rank = threads::rank;

// out_partial: a contraction over a dim sharded in both operands is a pending sum.
static_assert(same<decltype(matmul(make<T<V, S<1>>>(), make<T<R, S<0>>>(), out_partial<"tp">)), T<V, P>>);
static_assert(same<decltype(einsum<"ij,jk->ik">(make<T<V, S<1>>>(), make<T<R, S<0>>>(), out_partial<"tp">)), T<V, P>>);
static_assert(
    same<decltype(sum<0>(make<T<V, S<0>>>(), out_partial<"tp">)), tensor<local::dense<float, 1>, M, layout<V, P>>>);

// convert<axis, S<d>, V>: per-rank values with no global meaning; then the plain-V rules apply.
using Sharded = T<V, S<1>>;
using Plain = decltype(convert<"tp", S<1>, V>(make<Rank&>(), make<Sharded>()));
static_assert(same<Plain, T<V, V>>);
static_assert(same<decltype(make<Plain>() + make<Plain>()), T<V, V>>);
static_assert(same<decltype(softmax<1>(make<Plain>())), T<V, V>>);
static_assert(same<decltype(sum<1>(make<Plain>())), tensor<local::dense<float, 1>, M, layout<V, V>>>);
static_assert(same<decltype(all_reduce<"tp", I>(make<Rank&>(), make<Plain>())), T<V, I>>);
static_assert(same<decltype(reduce_scatter<"tp", 0>(make<Rank&>(), make<Plain>())), T<V, S<0>>>);
// and back: convert<axis, V, S<d>> is the claim that the pieces concatenate along d.
static_assert(same<decltype(convert<"tp", V, S<1>>(make<Rank&>(), make<Plain>())), Sharded>);

// A shard next to a whole operand that broadcasts along it (checked at run time), or a number.
static_assert(same<decltype(make<T<V, S<0>>>() + make<T<R, R>>()), T<V, S<0>>>);
static_assert(same<decltype(make<T<V, S<0>>>() * 2.0f), T<V, S<0>>>);

}  // namespace
