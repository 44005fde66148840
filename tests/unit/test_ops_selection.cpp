// The ops added through op definitions: abs, rsqrt, pow, clamp, log_softmax, maximum, minimum
// and where. Values against the same computation element by element, result types by the rules,
// and gradients against central finite differences on a tp mesh (grad types spelled out).
#include "test_autograd_grad_check.hpp"

#include <algorithm>

using namespace autograd_ops_test;

namespace {

template <class X>
double element(X const& x, std::size_t i) {
  return x.local().data()[i];
}

}  // namespace

TEST_CASE("selection ops: values and result types on one rank", "[ops]") {
  using XR = T1<2, R>;
  auto const a = filled<2>({3, 4}, 1.5, 0.1), b = filled<2>({3, 4}, 1.0, 1.3);
  auto const pos = filled<2>({3, 4}, 0.5, 0.2, 1.0);  // in [0.5, 1.5]
  XR const ta{a}, tb{b}, tp{pos};

  auto const mx = spmd::maximum(ta, tb);
  auto const mn = spmd::minimum(ta, 0.25);
  auto const cl = spmd::clamp(ta, -0.5, 0.75);
  auto const ab = spmd::abs(ta);
  auto const rs = spmd::rsqrt(tp);
  auto const pw = spmd::pow(tp, 2.5);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(mx)>, XR>);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(pw)>, XR>);
  for (std::size_t i = 0; i < a.size(); ++i) {
    double const x = a.data()[i], y = b.data()[i], p = pos.data()[i];
    CHECK(element(mx, i) == std::max(x, y));
    CHECK(element(mn, i) == std::min(x, 0.25));
    CHECK(element(cl, i) == std::clamp(x, -0.5, 0.75));
    CHECK(element(ab, i) == std::abs(x));
    CHECK(element(rs, i) == Approx(1.0 / std::sqrt(p)).epsilon(1e-15));
    CHECK(element(pw, i) == Approx(std::pow(p, 2.5)).epsilon(1e-15));
  }

  // where with a broadcast mask [3, 1] and a number: rows 0 and 2 take a, row 1 takes 7.
  D<2> mask({3, 1});
  mask(0, 0) = 1;
  mask(1, 0) = 0;
  mask(2, 0) = 1;
  auto const w = spmd::where(XR{mask}, ta, 7.0);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 4; ++j) CHECK(w.local()(i, j) == (i == 1 ? 7.0 : a(i, j)));

  // log_softmax<1> is log of softmax<1>, and its rows' exponentials sum to 1.
  auto const ls = spmd::log_softmax<1>(ta);
  auto const sm = spmd::softmax<1>(ta);
  for (std::size_t i = 0; i < 3; ++i) {
    double total = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      CHECK(ls.local()(i, j) == Approx(std::log(sm.local()(i, j))).epsilon(1e-14));
      total += std::exp(ls.local()(i, j));
    }
    CHECK(total == Approx(1.0).epsilon(1e-14));
  }
}

TEST_CASE("selection ops: the rules place the results", "[ops]") {
  using XS = T1<2, S<0>>;
  using XP = T1<2, P>;
  using XR = T1<2, R>;
  using XV = T1<2, V>;
  // Non-linear ops keep shards; an R operand next to the shard broadcasts.
  static_assert(std::is_same_v<decltype(spmd::maximum(std::declval<XS>(), std::declval<XR>())), XS>);
  static_assert(std::is_same_v<decltype(spmd::clamp(std::declval<XS>(), 0.0, 1.0)), XS>);
  static_assert(std::is_same_v<decltype(spmd::log_softmax<1>(std::declval<XS>())), XS>);
  static_assert(std::is_same_v<decltype(spmd::minimum(std::declval<XV>(), 1.0)), XV>);
  // where is linear in a and b together: P and P under an R mask is P.
  static_assert(std::is_same_v<decltype(spmd::where(std::declval<XR>(), std::declval<XP>(), std::declval<XP>())), XP>);
  static_assert(std::is_same_v<decltype(spmd::where(std::declval<XS>(), std::declval<XS>(), 0.0)), XS>);
  // ... and these are rejected (asked without failing to compile):
  static_assert(!rules::op_valid<op::where, M1, rules::same_dims, layout<P>, layout<R>, layout<R>>);  // P mask
  static_assert(!rules::op_valid<op::where, M1, rules::same_dims, layout<R>, layout<P>, layout<R>>);  // P next to R
  static_assert(!rules::op_valid<op::where, M1, rules::same_dims, layout<V>, layout<P>, layout<P>>);  // V mask, P data
  static_assert(!rules::op_valid<op::maximum, M1, rules::same_dims, layout<P>, layout<R>>);
  static_assert(!rules::op_valid<op::log_softmax<0>, M1, rules::along_dims<0>, layout<S<0>>>);
  SUCCEED();
}

TEST_CASE("selection ops: gradients of abs, rsqrt, pow, clamp", "[ops][autograd]") {
  auto const x = filled<2>({3, 4}, 1.0, 0.35);  // no element within 0.01 of 0, -0.6 or 0.6
  auto const pos = filled<2>({3, 4}, 0.5, 0.2, 1.0);
  using on_r = grad_check<in<T1<2, R>>, grads<T1<2, P>>>;
  using on_s = grad_check<in<T1<2, S<1>>>, grads<T1<2, S<1>>>>;
  CHECK(on_r::check(
            tp2, [](auto v) { return abs(v); }, x) == 4);
  CHECK(on_s::check(
            tp2, [](auto v) { return abs(v); }, x) == 4);
  CHECK(on_r::check(
            tp2, [](auto v) { return rsqrt(v); }, pos) == 4);
  CHECK(on_s::check(
            tp2, [](auto v) { return pow(v, 2.5); }, pos) == 4);
  CHECK(on_r::check(
            tp2, [](auto v) { return pow(v, -1.5); }, pos) == 4);
  CHECK(on_r::check(
            tp2, [](auto v) { return clamp(v, -0.6, 0.6); }, x) == 4);
  // narrow: g in its place, zeros around it (a shard along the narrowed dim becomes V).
  CHECK(on_r::check(
            tp2, [](auto v) { return exp(narrow<1>(v, 1, 2)); }, x) == 4);
  CHECK((grad_check<in<T1<2, S<1>>>, grads<T1<2, S<1>>>>::check(
            tp2, [](auto v) { return narrow<1>(v, 0, 3); }, x)) == 4);
}

TEST_CASE("selection ops: gradients of log_softmax, maximum, minimum, where", "[ops][autograd]") {
  auto const x = filled<2>({3, 4}, 1.5, 0.2);
  CHECK((grad_check<in<T1<2, R>>, grads<T1<2, P>>>::check(
            tp2, [](auto v) { return log_softmax<1>(v); }, x)) == 4);
  CHECK((grad_check<in<T1<2, S<0>>>, grads<T1<2, S<0>>>>::check(
            tp2, [](auto v) { return log_softmax<1>(v); }, x)) == 4);
  CHECK((grad_check<in<T1<2, R>>, grads<T1<2, P>>>::check(
            tp2, [](auto v) { return log_softmax<0>(v); }, x)) == 4);

  auto const a = filled<2>({3, 4}, 1.0, 0.1), b = filled<2>({3, 4}, 1.0, 1.9), row = filled<2>({3, 1}, 0.8, 0.4);
  // Two varying operands, and an R row broadcast next to a shard.
  CHECK((grad_check<in<T1<2, V>, T1<2, V>>, grads<T1<2, V>, T1<2, V>>>::check(
            tp2, [](auto p, auto q) { return maximum(p, q); }, a, b)) == 8);
  CHECK((grad_check<in<T1<2, S<1>>, T1<2, R>>, grads<T1<2, S<1>>, T1<2, P>>>::check(
            tp2, [](auto p, auto q) { return minimum(p, q); }, a, row)) == 8);
  CHECK((grad_check<in<T1<2, R>>, grads<T1<2, P>>>::check(
            tp2, [](auto v) { return maximum(v, 0.1); }, a)) == 4);
  CHECK((grad_check<in<T1<2, R>>, grads<T1<2, P>>>::check(
            tp2, [](auto v) { return minimum(0.1, v); }, a)) == 4);

  // where with a constant mask: a's gradient where the mask is set, b's where it is clear.
  auto masked = [](auto p, auto q) {
    using Mask = T1<2, R>;  // the same mask on every rank, never a pending sum
    D<2> m({3, 4});
    for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = i % 3 == 0 ? 1.0 : 0.0;
    return where(var<Mask>{Mask{m}}, p, q);
  };
  CHECK((grad_check<in<T1<2, R>, T1<2, R>>, grads<T1<2, P>, T1<2, P>>>::check(tp2, masked, a, b)) == 8);
  CHECK((grad_check<in<T1<2, P>, T1<2, P>>, grads<T1<2, R>, T1<2, R>>>::check(tp2, masked, a, b)) == 8);
}
