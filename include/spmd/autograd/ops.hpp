// spmd/autograd/ops.hpp - the typed ops on autograd::var: the op definitions' functions and
// operators (autograd/apply.hpp), and matmul and sum_all (einsum: ops_einsum.hpp).
//
// Each backward is written with the same typed ops as the forward, so the compiler checks the
// layout of every gradient; `as_grad` accepts only the communication-free step from V pieces to
// the P gradient of an R input.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <spmd/autograd/apply.hpp>
#include <spmd/autograd/as_grad.hpp>
#include <spmd/autograd/tape.hpp>
#include <spmd/core/meta.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/local/kernels.hpp>
#include <spmd/ops/elementwise.hpp>
#include <spmd/ops/matmul.hpp>
#include <spmd/ops/reduce.hpp>
#include <spmd/ops/view.hpp>

namespace spmd::autograd {

namespace detail {
/// The variable of an op's result `value` computed from `in...`; in backward, `step(g, value)`
/// runs with the result's gradient g. For the ops that are not yet op definitions (matmul,
/// einsum, sum_all); every other op goes through autograd/apply.hpp.
template <typed_tensor Out, class Step, class... Ts>
var<Out> record_step(Out value, Step step, var<Ts> const&... in) {
  if constexpr (has_ill_typed<typename Out::layout_type>) {
    return var<Out>{std::move(value)};  // the forward was rejected and has said why: no backward
  } else {
    tape* t = tape_of(in...);
    bool const needed = (in.requires_grad() || ...) && t != nullptr;
    auto out = var<Out>::make(std::move(value), needed, t);
    if (needed)
      t->record([out, step = std::move(step)]() mutable {
        if (out.has_grad()) step(out.grad(), out.value());
      });
    return out;
  }
}

/// A one-input op: `grad(g, x, y)` is the local gradient of x from the result's gradient g, the
/// input's value x and the result y.
template <typed_tensor A, typed_tensor Out, class Grad>
var<Out> record_unary(var<A> const& a, Out value, Grad grad) {
  auto step = [a, grad](auto const& g, Out const& y) { flow(a, [&] { return grad(g, a.value(), y); }); };
  return record_step(std::move(value), std::move(step), a);
}

/// A two-input op: `grad_a(g, a, b, y)` and `grad_b(g, a, b, y)` are the inputs' local gradients.
template <typed_tensor A, typed_tensor B, typed_tensor Out, class GradA, class GradB>
var<Out> record_binary(var<A> const& a, var<B> const& b, Out value, GradA grad_a, GradB grad_b) {
  auto step = [a, b, grad_a, grad_b](auto const& g, Out const& y) {
    flow(a, [&] { return grad_a(g, a.value(), b.value(), y); });
    flow(b, [&] { return grad_b(g, a.value(), b.value(), y); });
  };
  return record_step(std::move(value), std::move(step), a, b);
}

using spmd::detail::expand;
using spmd::detail::ones_like_t;
using spmd::detail::unbroadcast;
using spmd::detail::unpartial;
}  // namespace detail

/// True for autograd::var types.
template <class T>
concept variable = detail::is_var<std::remove_cvref_t<T>>::value;

// The elementwise ops, reductions and views are op definitions (ops/*.hpp): the same functions
// take variables, found here too.
using spmd::exp;
using spmd::gelu;
using spmd::log;
using spmd::neg;
using spmd::relu;
using spmd::sqrt;
using spmd::tanh;

/// -a (linear: P stays P).
template <typed_tensor A>
auto operator-(var<A> const& a) {
  return apply_op(op_tag<op::neg>{}, a);
}

// ---- binary: variables, or a variable and a number -------------------------------------------

// clang-format off
template <typed_tensor A, typed_tensor B> auto operator+(var<A> const& a, var<B> const& b) { return apply_op(op_tag<op::add>{}, a, b); }
template <typed_tensor A, typed_tensor B> auto operator-(var<A> const& a, var<B> const& b) { return apply_op(op_tag<op::sub>{}, a, b); }
template <typed_tensor A, typed_tensor B> auto operator*(var<A> const& a, var<B> const& b) { return apply_op(op_tag<op::mul>{}, a, b); }
template <typed_tensor A, typed_tensor B> auto operator/(var<A> const& a, var<B> const& b) { return apply_op(op_tag<op::div>{}, a, b); }
// A number on either side adopts the variable's type on every axis (so P + 1.0 does not compile).
template <typed_tensor A> auto operator+(var<A> const& a, typename A::value_type s) { return apply_op(op_tag<op::add>{}, a, s); }
template <typed_tensor A> auto operator+(typename A::value_type s, var<A> const& a) { return apply_op(op_tag<op::add>{}, s, a); }
template <typed_tensor A> auto operator-(var<A> const& a, typename A::value_type s) { return apply_op(op_tag<op::sub>{}, a, s); }
template <typed_tensor A> auto operator-(typename A::value_type s, var<A> const& a) { return apply_op(op_tag<op::sub>{}, s, a); }
template <typed_tensor A> auto operator*(var<A> const& a, typename A::value_type s) { return apply_op(op_tag<op::mul>{}, a, s); }
template <typed_tensor A> auto operator*(typename A::value_type s, var<A> const& a) { return apply_op(op_tag<op::mul>{}, s, a); }
template <typed_tensor A> auto operator/(var<A> const& a, typename A::value_type s) { return apply_op(op_tag<op::div>{}, a, s); }
template <typed_tensor A> auto operator/(typename A::value_type s, var<A> const& a) { return apply_op(op_tag<op::div>{}, s, a); }
// clang-format on

// ---- matmul ----------------------------------------------------------------------------------

namespace detail {
/// The out_partial of a backward contraction that gives the gradient of an input of type X from
/// operands Ts...: the axes where that gradient is P (X is R there) and an operand varies, so
/// each rank's product is a piece of the pending sum.
template <std::size_t Axis, class X, class... Ts>
constexpr bool partial_on_axis() {
  return kind_of<placement_at_t<typename grad_t<X>::layout_type, Axis>> == placement_kind::partial &&
         ((kind_of<placement_at_t<typename Ts::layout_type, Axis>> == placement_kind::varying) || ...);
}
template <class X, class... Ts>
struct partial_axes_mask {
  static constexpr auto value = []<std::size_t... Is>(std::index_sequence<Is...>) {
    return std::array<bool, sizeof...(Is)>{partial_on_axis<Is, X, Ts...>()...};
  }(std::make_index_sequence<X::mesh_type::rank>{});
};
template <class X, class... Ts>
using partial_axes_t =
    rules::out_partial_where_t<typename X::mesh_type, partial_axes_mask<X, std::remove_cvref_t<Ts>...>>;

/// spmd::matmul(l, r) as (a piece of) the gradient of an input of type X.
template <typed_tensor X, typed_tensor L, typed_tensor Rt>
auto grad_matmul(L const& l, Rt const& r) {
  return spmd::matmul(l, r, partial_axes_t<X, L, Rt>{});
}

/// Swap of the last two dims.
template <typed_tensor T>
auto mT(T const& x) {
  return spmd::transpose<static_cast<int>(T::rank) - 2, static_cast<int>(T::rank) - 1>(x);
}
/// The rank-2 [rows, last] view of x, all leading dims merged into rows.
template <typed_tensor T>
auto rows_view(T const& x) {
  auto const& s = x.local().shape();
  std::size_t n = 1;
  for (std::size_t d = 0; d + 1 < T::rank; ++d) n *= s[d];
  return spmd::reshape(x, std::array<std::size_t, 2>{n, s[T::rank - 1]});
}
}  // namespace detail

/// The matrix product, batched when a rank is above 2 (as spmd::matmul, for the ranks the local
/// kernels provide: dense has [b,m,k] @ [k,n] and [b,m,k] @ [b,k,n]); `out_partial<axes...>` as for
/// spmd::matmul. A rank-2 b against a batched a gets the gradient of all rows at once. The
/// gradient of an R input that met a varying operand is declared P (partial_axes_t).
template <typed_tensor A, typed_tensor B, class OutPartial = no_out_partial>
auto matmul(var<A> const& a, var<B> const& b, OutPartial op = {}) {
  auto out = spmd::matmul(a.value(), b.value(), op);
  constexpr std::size_t rank = decltype(out)::rank;
  static_assert(A::rank == rank && (B::rank == rank || B::rank == 2),
                "spmd: autograd::matmul: a batched right operand needs a left operand of the same rank");
  return detail::record_binary(
      a, b, std::move(out),
      [](auto const& g, auto const& x, auto const& y, auto const&) {
        return detail::unbroadcast(detail::grad_matmul<A>(g, detail::mT(y)), x);
      },
      [](auto const& g, auto const& x, auto const& y, auto const&) {
        if constexpr (B::rank == rank)
          return detail::unbroadcast(detail::grad_matmul<B>(detail::mT(x), g), y);
        else  // b met every row of the batched a: one [k, rows] @ [rows, n] product
          return detail::grad_matmul<B>(spmd::transpose<0, 1>(detail::rows_view(x)), detail::rows_view(g));
      });
}

/// Sum over all elements of a rank-2 tensor, as a [1, 1] tensor (linear: P stays P). On an axis
/// where `a` is sharded the local sum is a partial sum: the result is P there.
template <typed_tensor A>
auto sum_all(var<A> const& a) {
  static_assert(A::rank == 2, "spmd: autograd::sum_all takes a rank-2 tensor");
  auto rows = spmd::sum<1>(a.value(), out_partial_over_shards_t<A, 1>{});
  auto out = spmd::unsqueeze<0>(spmd::unsqueeze<0>(spmd::sum<0>(rows, out_partial_over_shards_t<decltype(rows), 0>{})));
  // d(sum)/da = 1 everywhere: g spread over a's shape, as ones * g with the ones sharded like a
  // (and whole where a is not sharded), so that the product has a's gradient type.
  return detail::record_unary(a, std::move(out), [](auto const& g, auto const& x, auto const&) {
    using L = typename A::local_type;
    detail::ones_like_t<A> const ones{L(x.local().shape(), typename L::value_type{1})};
    return ones * g;
  });
}



// clang-format off
template <typed_tensor A, typed_tensor B> auto operator+(var<A> const&, B const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator+(B const&, var<A> const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator-(var<A> const&, B const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator-(B const&, var<A> const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator*(var<A> const&, B const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator*(B const&, var<A> const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator/(var<A> const&, B const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator/(B const&, var<A> const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B, class OutPartial = no_out_partial>
auto matmul(var<A> const&, B const&, OutPartial = {}) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B, class OutPartial = no_out_partial>
auto matmul(B const&, var<A> const&, OutPartial = {}) { return detail::mixed_operands<A, B>(); }
// clang-format on

}  // namespace spmd::autograd
