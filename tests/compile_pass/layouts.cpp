// Meshes, placements, layouts and the typed tensor: building this file is passing.
#include <spmd/spmd.hpp>

using namespace spmd;

namespace {

using M = mesh<"dp", "tp">;
using L2 = local::dense<float, 2>;

// Mesh: names in order, lookup by name.
static_assert(M::axis_count == 2);
static_assert(M::names[0] == "dp" && M::names[1] == "tp");
static_assert(axis_index<M, "tp"> == 1);
static_assert(!M::contains("cp"));
static_assert(any_mesh<M> && !any_mesh<int>);

// Placements and their rule kinds: S<d> is a V.
static_assert(placement<R> && placement<I> && placement<V> && placement<P> && placement<S<2>>);
static_assert(!placement<int> && !placement<layout<R>>);
static_assert(kind_of<S<1>> == placement_kind::varying);
static_assert(shard_placement<S<0>> && !shard_placement<V>);

// DTensor and JAX spellings are aliases of the same types.
static_assert(std::is_same_v<Replicate, R> && std::is_same_v<Partial, P> && std::is_same_v<Shard<1>, S<1>>);
static_assert(std::is_same_v<Invariant, I> && std::is_same_v<Varying, V>);
static_assert(std::is_same_v<jax::reduced, R> && std::is_same_v<jax::unreduced, P> &&
              std::is_same_v<jax::replicated, I> && std::is_same_v<jax::sharded<0>, S<0>>);

// A named layout, in any order, is the same type as the positional one.
static_assert(std::is_same_v<tensor<L2, M, layout<at<"tp", S<0>>, at<"dp", R>>>, tensor<L2, M, layout<R, S<0>>>>);
static_assert(std::is_same_v<tensor<L2, M, layout<at<"dp", R>, at<"tp", S<0>>>>, basic_tensor<L2, M, layout<R, S<0>>>>);
static_assert(std::is_same_v<resolve_layout_t<M, layout<at<"tp", P>, at<"dp", Shard<1>>>>, layout<S<1>, P>>);
static_assert(std::is_same_v<placement_on_t<tensor<L2, M, layout<V, P>>, "tp">, P>);

// The typed tensor adds nothing at run time.
static_assert(sizeof(tensor<L2, M, layout<V, S<0>>>) == sizeof(L2));
static_assert(alignof(tensor<L2, M, layout<V, S<0>>>) == alignof(L2));
static_assert(typed_tensor<tensor<L2, M, layout<R, R>>> && !typed_tensor<L2>);
static_assert(local_tensor<L2> && local_tensor<local::dense<double, 0>> && !local_tensor<int>);

}  // namespace
