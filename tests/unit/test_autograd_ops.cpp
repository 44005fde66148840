// Differentiable elementwise ops and softmax on autograd::var: gradients against central finite
// differences, on meshes where an R input meets a V or S input (its gradient is P pieces), and
// the exact gradient type of every input (grad_t, spelled out).
#include "test_autograd_grad_check.hpp"

using namespace autograd_ops_test;

TEST_CASE("autograd ops: unary neg, -, exp, log, tanh, sqrt", "[autograd]") {
  using XR = T1<2, R>;
  using XS = T1<2, S<0>>;
  using XP = T1<2, P>;
  // A positive input, so that log and sqrt are defined.
  auto const x = filled<2>({3, 4}, 0.5, 0.1, 1.5);
  using on_r = grad_check<in<XR>, grads<T1<2, P>>>;  // R meets the V weight: P pieces
  using on_s = grad_check<in<XS>, grads<T1<2, S<0>>>>;
  CHECK(on_r::check(
            tp2, [](auto v) { return neg(v); }, x) == 4);
  CHECK(on_r::check(
            tp2, [](auto v) { return -v; }, x) == 4);
  CHECK(on_r::check(
            tp2, [](auto v) { return exp(v); }, x) == 4);
  CHECK(on_s::check(
            tp2, [](auto v) { return log(v); }, x) == 4);
  CHECK(on_r::check(
            tp2, [](auto v) { return tanh(v); }, x) == 4);
  CHECK(on_s::check(
            tp2, [](auto v) { return sqrt(v); }, x) == 4);
  // Linear: a pending sum stays one, and its gradient is R.
  CHECK((grad_check<in<XP>, grads<T1<2, R>>>::check(
            tp2, [](auto v) { return -v; }, x)) == 4);
}

TEST_CASE("autograd ops: a / b with broadcasting, P / R", "[autograd]") {
  auto const a = filled<2>({3, 4}, 1.0, 0.2), b = filled<2>({3, 1}, 0.5, 0.4, 2.0);
  CHECK((grad_check<in<T1<2, R>, T1<2, V>>, grads<T1<2, P>, T1<2, V>>>::check(
            tp2, [](auto p, auto q) { return p / q; }, a, b)) == 8);
  // Division is linear in its numerator: P / R is P; the divisor's gradient is P, the numerator's R.
  CHECK((grad_check<in<T1<2, P>, T1<2, R>>, grads<T1<2, R>, T1<2, P>>>::check(
            tp2, [](auto p, auto q) { return p / q; }, a, b)) == 8);
}

TEST_CASE("autograd ops: a variable and a number on either side of + - * /", "[autograd]") {
  auto const x = filled<2>({2, 3}, 0.5, 0.3, 1.5);
  auto f = [](auto v) { return (v + 1.0) * 2.0 + (3.0 + v) / 4.0 - (1.0 - v) * (2.0 * v) + 1.0 / v - (v - 0.5) / 3.0; };
  CHECK((grad_check<in<T1<2, R>>, grads<T1<2, P>>>::check(tp2, f, x)) == 4);
  CHECK((grad_check<in<T1<2, S<1>>>, grads<T1<2, S<1>>>>::check(tp2, f, x)) == 4);
  // P times or divided by a number stays P.
  CHECK((grad_check<in<T1<2, P>>, grads<T1<2, R>>>::check(
            tp2, [](auto v) { return 2.0 * v / 4.0 * 3.0; }, x)) == 4);
}

TEST_CASE("autograd ops: softmax<D>", "[autograd]") {
  auto const x = filled<2>({3, 4}, 1.5, 0.2);
  CHECK((grad_check<in<T1<2, R>>, grads<T1<2, P>>>::check(
            tp2, [](auto v) { return softmax<1>(v); }, x)) == 4);
  CHECK((grad_check<in<T1<2, R>>, grads<T1<2, P>>>::check(
            tp2, [](auto v) { return softmax<0>(v); }, x)) == 4);
  // Along an unsharded dim of a shard: the shard is kept.
  CHECK((grad_check<in<T1<2, S<0>>>, grads<T1<2, S<0>>>>::check(
            tp2, [](auto v) { return softmax<1>(v); }, x)) == 4);
}
