// The per-axis rules of non-communicating elementwise ops (docs/rules.md, "Non-communicating ops, per axis"), every legal mix:
// building this file is passing. The illegal mixes are tests/compile_fail cases.
#include <spmd/ops/matmul.hpp>
#include <spmd/ops/view.hpp>
#include <spmd/rules/dim_maps.hpp>
#include <spmd/rules/layout_rule.hpp>

using namespace spmd;
using rules::scalar_layout;

namespace {

using M = mesh<"tp">;
// Result placement of `Op` on a one-axis mesh whose operands are placed `Ps...` (or a number).
template <class Op, class... Ls>
using result = rules::result_layout_t<Op, M, rules::same_dims, Ls...>;
template <class P>
using L = layout<P>;
template <class A, class B>
constexpr bool same = std::is_same_v<A, B>;

// {R} -> R, {I} -> I, {V} or {R, V} -> V, for every kind of op.
static_assert(same<result<op::add, L<R>, L<R>>, L<R>>);
static_assert(same<result<op::exp, L<R>>, L<R>>);
static_assert(same<result<op::mul, L<I>, L<I>>, L<I>>);
static_assert(same<result<op::relu, L<I>>, L<I>>);
static_assert(same<result<op::add, L<V>, L<V>>, L<V>>);
static_assert(same<result<op::mul, L<R>, L<V>>, L<V>>);
static_assert(same<result<op::div, L<V>, L<R>>, L<V>>);
static_assert(same<result<op::gelu, L<V>>, L<V>>);
// A number adopts the other operand's type.
static_assert(same<result<op::add, L<R>, scalar_layout>, L<R>>);
static_assert(same<result<op::sub, scalar_layout, L<I>>, L<I>>);
static_assert(same<result<op::mul, L<V>, scalar_layout>, L<V>>);

// P through linear ops: all operands P -> P.
static_assert(same<result<op::add, L<P>, L<P>>, L<P>>);
static_assert(same<result<op::sub, L<P>, L<P>>, L<P>>);
static_assert(same<result<op::neg, L<P>>, L<P>>);
// P through multilinear ops: one P factor, the others R or a number.
static_assert(same<result<op::mul, L<P>, L<R>>, L<P>>);
static_assert(same<result<op::mul, L<R>, L<P>>, L<P>>);
static_assert(same<result<op::mul, L<P>, scalar_layout>, L<P>>);
static_assert(same<result<op::mul, scalar_layout, L<P>>, L<P>>);
// Division is linear in its numerator.
static_assert(same<result<op::div, L<P>, L<R>>, L<P>>);
static_assert(same<result<op::div, L<P>, scalar_layout>, L<P>>);

// The declared linearity of the built-in ops; a user op without a declaration is non-linear.
struct my_op {};
struct my_linear_op {
  static constexpr auto linearity = spmd::linearity::linear;
};
static_assert(linearity_of<my_op> == linearity::nonlinear);
static_assert(linearity_of<my_linear_op> == linearity::linear);
static_assert(same<result<my_linear_op, L<P>>, L<P>>);
static_assert(linearity_of<op::relu> == linearity::nonlinear && linearity_of<op::softmax<1>> == linearity::nonlinear);
static_assert(linearity_of<op::add> == linearity::linear && linearity_of<op::concat<0>> == linearity::linear);
static_assert(linearity_of<op::mul> == linearity::multilinear && linearity_of<op::matmul> == linearity::multilinear);
static_assert(linearity_of<op::div> == linearity::linear_in_first);

// S<d> in the local view: kept where every S operand records the same d (S<a> with S<b> is a
// compile_fail case); with a plain V the type knows no more than V.
static_assert(same<result<op::exp, L<S<1>>>, L<S<1>>>);
static_assert(same<result<op::add, L<S<0>>, L<R>>, L<S<0>>>);
static_assert(same<result<op::mul, L<R>, L<S<0>>>, L<S<0>>>);
static_assert(same<result<op::add, L<S<0>>, L<S<0>>>, L<S<0>>>);
static_assert(same<result<op::add, L<S<0>>, L<V>>, L<V>>);
static_assert(same<result<op::mul, L<S<1>>, scalar_layout>, L<S<1>>>);

// Every axis is checked on its own: a two-axis layout mixes rules per axis.
using M2 = mesh<"dp", "tp">;
static_assert(
    same<rules::result_layout_t<op::add, M2, rules::same_dims, layout<P, S<0>>, layout<P, R>>, layout<P, S<0>>>);
static_assert(same<rules::result_layout_t<op::mul, M2, rules::same_dims, layout<P, I>, layout<R, I>>, layout<P, I>>);

}  // namespace
