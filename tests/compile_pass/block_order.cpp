// The block order of a dim sharded on several mesh axes (rules/block_order.hpp): the collectives
// that keep it compile, with the types below; those that break it are the compile-fail cases
// comm_*_outer_axis*.cpp. Building this file is passing.
#include <array>
#include <type_traits>
#include <utility>

#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/rules/block_order.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;

// Declared only, never defined: the operands of the unevaluated calls below (external linkage, so
// that no compiler warns about a function it will not emit).
namespace block_order_operands {
template <class X>
X const& a();
threads::rank& r();
}  // namespace block_order_operands
using block_order_operands::a;
using block_order_operands::r;

namespace {

using Mesh = mesh<"dp", "tp">;
template <class Dp, class Tp>
using T = tensor<local::dense<float, 2>, Mesh, layout<Dp, Tp>>;

// The rule as values: the first axis outside the group that shards the dim after the group.
constexpr placement_value s0 = placement_value_of<S<0>>;
constexpr placement_value whole = placement_value_of<R>;
static_assert(rules::axis_breaking_block_order<2>({s0, s0}, {true, false}, 0) == 1);  // dp, then tp shards
static_assert(rules::axis_breaking_block_order<2>({s0, s0}, {false, true}, 0) == 2);  // tp, inner: fine
static_assert(rules::axis_breaking_block_order<2>({s0, s0}, {true, true}, 0) == 2);   // "dp,tp" at once
static_assert(rules::axis_breaking_block_order<2>({s0, whole}, {true, false}, 0) == 2);
static_assert(rules::axis_breaking_block_order<3>({s0, s0, s0}, {true, false, true}, 0) == 1);  // cp between
static_assert(rules::axis_breaking_block_order<2>({s0, s0}, {true, false}, 1) == 2);            // another dim

// Gathering the inner axis first, then the outer one.
using gathered_tp = decltype(all_gather<"tp", R>(r(), a<T<S<0>, S<0>>>()));
static_assert(std::is_same_v<gathered_tp, T<S<0>, R>>);
static_assert(std::is_same_v<decltype(all_gather<"dp", R>(r(), a<gathered_tp>())), T<R, R>>);
// Both axes at once, spelled in either order (a group's ranks are in mesh order).
static_assert(std::is_same_v<decltype(all_gather<"dp,tp", R>(r(), a<T<S<0>, S<0>>>())), T<R, R>>);
static_assert(std::is_same_v<decltype(all_gather<"tp,dp", R>(r(), a<T<S<0>, S<0>>>())), T<R, R>>);
static_assert(std::is_same_v<decltype(reduce_scatter<"dp,tp", 0>(r(), a<T<P, P>>())), T<S<0>, S<0>>>);
// Splitting the outer axis first, then the inner one.
static_assert(std::is_same_v<decltype(convert<"tp", R, S<0>>(r(), a<T<S<0>, R>>())), T<S<0>, S<0>>>);
static_assert(std::is_same_v<decltype(reduce_scatter<"tp", 0>(r(), a<T<S<0>, P>>())), T<S<0>, S<0>>>);
// The outer axis when the inner one shards another dim.
static_assert(std::is_same_v<decltype(all_gather<"dp", R>(r(), a<T<S<0>, S<1>>>())), T<R, S<1>>>);
static_assert(std::is_same_v<decltype(all_to_all<"dp", S<1>>(r(), a<T<S<0>, R>>())), T<S<1>, R>>);
// Annotations move no data: a shard of the outer axis declared V, and back.
static_assert(std::is_same_v<decltype(convert<"dp", S<0>, V>(r(), a<T<S<0>, S<0>>>())), T<V, S<0>>>);
static_assert(std::is_same_v<decltype(convert<"dp", V, S<0>>(r(), a<T<V, S<0>>>())), T<S<0>, S<0>>>);

}  // namespace
