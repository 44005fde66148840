// Rules of the ops that move, drop or contract dims, checked through the typed ops themselves:
// building this file is passing.
#include <utility>

#include <spmd/dense.hpp>

using namespace spmd;

namespace {

using M = mesh<"dp", "tp">;
template <std::size_t Ndim, class... Ps>
using T = basic_tensor<local::dense<float, Ndim>, M, layout<Ps...>>;
template <class X>
X make();
template <class A, class B>
constexpr bool same = std::is_same_v<A, B>;

// Reductions: a sum over the sharded dim is a partial sum (out_partial, P); S on a later dim
// moves down; P stays P.
static_assert(same<decltype(sum<0>(make<T<2, V, S<1>>>())), T<1, V, S<0>>>);
static_assert(same<decltype(sum<1>(make<T<2, V, S<1>>>(), out_partial<"tp">)), T<1, V, P>>);
static_assert(same<decltype(sum<0>(make<T<2, S<0>, S<0>>>(), out_partial<"dp", "tp">)), T<1, P, P>>);
static_assert(same<decltype(mean<1>(make<T<2, V, S<0>>>())), T<1, V, S<0>>>);
static_assert(same<decltype(sum<1>(make<T<3, S<0>, S<2>>>())), T<2, S<0>, S<1>>>);
static_assert(same<decltype(mean<0>(make<T<2, P, R>>())), T<1, P, R>>);
static_assert(same<decltype(sum<0>(make<T<1, I, P>>())), T<0, I, P>>);

// transpose swaps a recorded dim; unsqueeze/squeeze renumber it; reshape leaves a plain V.
static_assert(same<decltype(transpose<0, 1>(make<T<2, S<0>, P>>())), T<2, S<1>, P>>);
static_assert(same<decltype(transpose<1, 2>(make<T<3, S<0>, S<2>>>())), T<3, S<0>, S<1>>>);
static_assert(same<decltype(unsqueeze<0>(make<T<2, S<0>, S<1>>>())), T<3, S<1>, S<2>>>);
static_assert(same<decltype(unsqueeze<2>(make<T<2, S<0>, S<1>>>())), T<3, S<0>, S<1>>>);
static_assert(same<decltype(squeeze<0>(make<T<3, S<1>, R>>())), T<2, S<0>, R>>);
static_assert(same<decltype(reshape(make<T<2, S<1>, P>>(), std::array<std::size_t, 1>{6})), T<1, V, P>>);

// concat: linear (P with P), S on the concatenation dim leaves a plain V.
static_assert(same<decltype(concat<0>(make<T<2, P, S<1>>>(), make<T<2, P, S<1>>>())), T<2, P, S<1>>>);
static_assert(same<decltype(concat<1>(make<T<2, P, S<1>>>(), make<T<2, P, S<1>>>())), T<2, P, V>>);
static_assert(same<decltype(concat<0>(make<T<2, R, I>>(), make<T<2, V, I>>())), T<2, V, I>>);

// Unary ops keep everything; softmax too, along an unsharded dim (it is non-linear, so no P
// reaches it).
static_assert(same<decltype(softmax<1>(make<T<2, S<0>, I>>())), T<2, S<0>, I>>);
static_assert(same<decltype(softmax<1>(make<T<2, V, V>>())), T<2, V, V>>);
static_assert(same<decltype(-make<T<2, P, S<1>>>()), T<2, P, S<1>>>);
static_assert(same<decltype(relu(make<T<2, V, R>>())), T<2, V, R>>);

// matmul: column-parallel (R x S<1> -> S<1>), row-parallel (V x S<0> + out_partial -> P).
static_assert(same<decltype(matmul(make<T<2, V, R>>(), make<T<2, R, S<1>>>())), T<2, V, S<1>>>);
static_assert(same<decltype(matmul(make<T<2, V, S<1>>>(), make<T<2, R, S<0>>>(), out_partial<"tp">)), T<2, V, P>>);
static_assert(
    same<decltype(matmul(make<T<2, S<0>, S<1>>>(), make<T<2, R, S<0>>>(), out_partial<"tp">)), T<2, S<0>, P>>);
// A contraction whose partner is a plain V: the type knows no more than V (out_partial: P).
static_assert(same<decltype(matmul(make<T<2, V, V>>(), make<T<2, R, S<0>>>())), T<2, V, V>>);
static_assert(same<decltype(matmul(make<T<2, V, V>>(), make<T<2, R, S<0>>>(), out_partial<"tp">)), T<2, V, P>>);
// The explicit escape: convert<axis, S<d>, V> first, then the plain-V rules.
static_assert(same<decltype(matmul(make<T<2, V, V>>(), make<T<2, R, V>>())), T<2, V, V>>);
// One P factor, the other R: still a pending sum.
static_assert(same<decltype(matmul(make<T<2, P, I>>(), make<T<2, R, I>>())), T<2, P, I>>);
// out_partial keeps a P result P (P @ R on that axis).
static_assert(same<decltype(matmul(make<T<2, R, P>>(), make<T<2, R, R>>(), out_partial<"tp">)), T<2, R, P>>);
// Batched: [b, s, h] @ [h, f]; a sequence shard on dim 1 follows into the result.
static_assert(same<decltype(matmul(make<T<3, S<0>, S<1>>>(), make<T<2, R, R>>())), T<3, S<0>, S<1>>>);
static_assert(same<decltype(matmul(make<T<3, S<0>, R>>(), make<T<3, S<0>, S<2>>>())), T<3, S<0>, S<2>>>);

// einsum: an S follows its label; a summed sharded label needs out_partial, which makes P.
static_assert(same<decltype(einsum<"ij,jk->ik">(make<T<2, S<0>, R>>(), make<T<2, R, S<1>>>())), T<2, S<0>, S<1>>>);
static_assert(same<decltype(einsum<"ij,jk->ki">(make<T<2, S<0>, R>>(), make<T<2, R, S<1>>>())), T<2, S<1>, S<0>>>);
static_assert(
    same<decltype(einsum<"bsh,hf->bsf">(make<T<3, V, S<2>>>(), make<T<2, R, S<0>>>(), out_partial<"tp">)), T<3, V, P>>);
static_assert(same<decltype(einsum<"ij->ji">(make<T<2, S<0>, P>>())), T<2, S<1>, P>>);
static_assert(same<decltype(einsum<"ij->i">(make<T<2, S<1>, S<0>>>(), out_partial<"dp">)), T<1, P, S<0>>>);
static_assert(
    same<decltype(einsum<"bij,bjk->bik">(make<T<3, S<0>, S<2>>>(), make<T<3, S<0>, S<1>>>(), out_partial<"tp">)),
         T<3, S<0>, P>>);
static_assert(same<decltype(einsum<"ij,ij->i">(make<T<2, P, I>>(), make<T<2, R, I>>())), T<1, P, I>>);

// The result of an op is itself a typed tensor that prints and has a gradient type.
static_assert(
    same<grad_t<decltype(matmul(make<T<2, V, S<1>>>(), make<T<2, R, S<0>>>(), out_partial<"tp">))>, T<2, V, R>>);

}  // namespace
