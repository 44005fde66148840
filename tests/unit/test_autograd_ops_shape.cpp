// Differentiable reductions, views, einsum and batched matmul on autograd::var: gradients
// against central finite differences and the exact gradient type of every input.
#include "test_autograd_grad_check.hpp"

using namespace autograd_ops_test;

TEST_CASE("autograd ops: sum<D> and mean<D>", "[autograd]") {
  auto const x = filled<3>({2, 3, 4}, 1.0, 0.5);
  CHECK((grad_check<in<T1<3, R>>, grads<T1<3, P>>>::check(
            tp2, [](auto v) { return sum<1>(v); }, x)) == 4);
  CHECK((grad_check<in<T1<3, S<2>>>, grads<T1<3, S<2>>>>::check(
            tp2, [](auto v) { return sum<0>(v); }, x)) == 4);
  CHECK((grad_check<in<T1<3, P>>, grads<T1<3, R>>>::check(
            tp2, [](auto v) { return sum<2>(v); }, x)) == 4);
  CHECK((grad_check<in<T1<3, R>>, grads<T1<3, P>>>::check(
            tp2, [](auto v) { return mean<2>(v); }, x)) == 4);
  CHECK((grad_check<in<T1<3, S<0>>>, grads<T1<3, S<0>>>>::check(
            tp2, [](auto v) { return mean<1>(v); }, x)) == 4);
  CHECK((grad_check<in<T1<3, P>>, grads<T1<3, R>>>::check(
            tp2, [](auto v) { return mean<0>(v); }, x)) == 4);
  // The result types: the reduced dim disappears, a shard on a later dim is renumbered.
  static_assert(std::is_same_v<decltype(sum<0>(std::declval<var<T1<3, S<2>>>>()).value()), T1<2, S<1>> const&>);
  static_assert(std::is_same_v<decltype(mean<2>(std::declval<var<T1<3, P>>>()).value()), T1<2, P> const&>);
}

TEST_CASE("autograd ops: reshape, unsqueeze<D>, squeeze<D>", "[autograd]") {
  auto const x = filled<2>({2, 6}, 1.0, 0.1);
  auto to34 = [](auto v) { return reshape(v, std::array<std::size_t, 2>{3, 4}); };
  CHECK((grad_check<in<T1<2, R>>, grads<T1<2, P>>>::check(
            tp2, [to34](auto v) { return exp(to34(v)); }, x)) == 4);
  CHECK((grad_check<in<T1<2, S<0>>>, grads<T1<2, S<0>>>>::check(tp2, to34, x)) == 4);
  CHECK((grad_check<in<T1<2, P>>, grads<T1<2, R>>>::check(tp2, to34, x)) == 4);
  CHECK((grad_check<in<T1<2, R>>, grads<T1<2, P>>>::check(
            tp2, [](auto v) { return exp(unsqueeze<1>(v)); }, x)) == 4);
  CHECK((grad_check<in<T1<2, S<1>>>, grads<T1<2, S<1>>>>::check(
            tp2, [](auto v) { return unsqueeze<0>(v); }, x)) == 4);
  auto const y = filled<3>({2, 1, 3}, 1.0, 0.3);
  CHECK((grad_check<in<T1<3, R>>, grads<T1<3, P>>>::check(
            tp2, [](auto v) { return exp(squeeze<1>(v)); }, y)) == 4);
  CHECK((grad_check<in<T1<3, S<2>>>, grads<T1<3, S<2>>>>::check(
            tp2, [](auto v) { return squeeze<1>(v); }, y)) == 4);
  static_assert(std::is_same_v<decltype(unsqueeze<0>(std::declval<var<T1<2, S<1>>>>()).value()), T1<3, S<2>> const&>);
  static_assert(std::is_same_v<decltype(squeeze<1>(std::declval<var<T1<3, S<2>>>>()).value()), T1<2, S<1>> const&>);
}

TEST_CASE("autograd ops: concat<D>", "[autograd]") {
  auto const a = filled<2>({2, 3}, 1.0, 0.1), b = filled<2>({1, 3}, 1.0, 0.9);
  auto cat0 = [](auto p, auto q) { return tanh(concat<0>(p, q)); };
  CHECK((grad_check<in<T1<2, R>, T1<2, V>>, grads<T1<2, P>, T1<2, V>>>::check(tp2, cat0, a, b)) == 8);
  auto const c = filled<2>({2, 2}, 1.0, 0.7);
  CHECK((grad_check<in<T1<2, P>, T1<2, P>>, grads<T1<2, R>, T1<2, R>>>::check(
            tp2, [](auto p, auto q) { return concat<1>(p, q); }, a, c)) == 8);
}

TEST_CASE("autograd ops: einsum with one and two operands", "[autograd]") {
  auto const a = filled<2>({3, 4}, 1.0, 0.1), b = filled<2>({4, 5}, 1.0, 0.6);
  // Column-parallel: R x S<1> -> S<1>; the R input's gradient comes back P.
  CHECK((grad_check<in<T1<2, R>, T1<2, S<1>>>, grads<T1<2, P>, T1<2, S<1>>>>::check(
            tp2, [](auto p, auto q) { return einsum<"ij,jk->ik">(p, q); }, a, b)) == 8);
  // Row-parallel: S<1> x S<0> contracted over the sharded label, declared P.
  CHECK((grad_check<in<T1<2, S<1>>, T1<2, S<0>>>, grads<T1<2, S<1>>, T1<2, S<0>>>>::check(
            tp2, [](auto p, auto q) { return einsum<"ij,jk->ik">(p, q, out_partial<"tp">); }, a, b)) == 8);
  // Transposed operand and output, on two mesh axes.
  auto const bt = filled<2>({5, 4}, 1.0, 0.6);
  CHECK((grad_check<in<T2<2, V, R>, T2<2, R, S<0>>>, grads<T2<2, V, P>, T2<2, P, S<0>>>>::check(
            dp2tp2, [](auto p, auto q) { return einsum<"ij,kj->ki">(p, q); }, a, bt)) == 8);
  // A label summed by one operand alone (j), and a product with a scalar result.
  auto const v = filled<1>({5}, 1.0, 0.2), w = filled<1>({4}, 1.0, 0.8);
  CHECK((grad_check<in<T1<2, R>, T1<1, V>>, grads<T1<2, P>, T1<1, V>>>::check(
            tp2, [](auto p, auto q) { return einsum<"ij,k->ik">(p, q); }, a, v)) == 8);
  CHECK((grad_check<in<T1<1, R>, T1<1, V>>, grads<T1<1, P>, T1<1, V>>>::check(
            tp2, [](auto p, auto q) { return einsum<"i,i->">(p, q); }, w, w)) == 8);
  // One operand: a reduction, a full sum, a transpose of a pending sum.
  CHECK((grad_check<in<T1<2, R>>, grads<T1<2, P>>>::check(
            tp2, [](auto p) { return einsum<"ij->i">(p); }, a)) == 4);
  CHECK((grad_check<in<T1<2, V>>, grads<T1<2, V>>>::check(
            tp2, [](auto p) { return einsum<"ij->">(p); }, a)) == 4);
  CHECK((grad_check<in<T1<2, P>>, grads<T1<2, R>>>::check(
            tp2, [](auto p) { return einsum<"ij->ji">(p); }, a)) == 4);
  // A sum over the sharded label declared P: the R gradient is each shard's.
  CHECK((grad_check<in<T1<2, S<1>>>, grads<T1<2, S<1>>>>::check(
            tp2, [](auto p) { return einsum<"ij->i">(p, out_partial<"tp">); }, a)) == 4);
}

// A backward contraction giving an R input's gradient from varying operands declares it P.
static_assert(std::is_same_v<spmd::detail::partial_axes_t<T1<2, R>, T1<2, S<1>>, T1<2, S<0>>>, out_partial_t<"tp">>);
static_assert(std::is_same_v<spmd::detail::partial_axes_t<T1<2, S<1>>, T1<2, R>, T1<2, S<1>>>, no_out_partial>);
static_assert(std::is_same_v<spmd::detail::partial_axes_t<T1<2, R>, T1<2, P>, T1<2, R>>, no_out_partial>);
static_assert(
    std::is_same_v<spmd::detail::partial_axes_t<T2<2, R, R>, T2<2, V, S<1>>, T2<2, R, R>>, out_partial_t<"dp", "tp">>);

TEST_CASE("autograd ops: batched matmul", "[autograd]") {
  auto const a = filled<3>({2, 3, 4}, 1.0, 0.1), c = filled<3>({2, 4, 5}, 1.0, 0.5);
  auto const b = filled<2>({4, 5}, 1.0, 0.5);
  // [b, m, k] @ [k, n]: the weight's gradient sums over every row of the batch.
  CHECK((grad_check<in<T1<3, V>, T1<2, R>>, grads<T1<3, V>, T1<2, P>>>::check(
            tp2, [](auto p, auto q) { return matmul(p, q); }, a, b)) == 8);
  // [b, m, k] @ [b, k, n], the batch sharded on both operands (an R left operand would have to
  // broadcast along the sharded batch dim).
  CHECK((grad_check<in<T1<3, S<0>>, T1<3, S<0>>>, grads<T1<3, S<0>>, T1<3, S<0>>>>::check(
            tp2, [](auto p, auto q) { return matmul(p, q); }, a, c)) == 8);
  // Rank 2 on two mesh axes: data-parallel rows, column-parallel weight.
  auto const x = filled<2>({3, 4}, 1.0, 0.1);
  CHECK((grad_check<in<T2<2, V, R>, T2<2, R, S<1>>>, grads<T2<2, V, P>, T2<2, P, S<1>>>>::check(
            dp2tp2, [](auto p, auto q) { return matmul(p, q); }, x, b)) == 8);
}
