// spmd/autograd/ops.hpp - the typed ops on autograd::var: the op definitions' functions and
// operators (autograd/apply.hpp).
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

/// True for autograd::var types.
template <class T>
concept variable = detail::is_var<std::remove_cvref_t<T>>::value;

// The elementwise ops, reductions and views are op definitions (ops/*.hpp): the same functions
// take variables, found here too.
using spmd::exp;
using spmd::gelu;
using spmd::log;
using spmd::matmul;
using spmd::neg;
using spmd::relu;
using spmd::sqrt;
using spmd::sum_all;
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

// clang-format off
template <typed_tensor A, typed_tensor B> auto operator+(var<A> const&, B const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator+(B const&, var<A> const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator-(var<A> const&, B const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator-(B const&, var<A> const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator*(var<A> const&, B const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator*(B const&, var<A> const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator/(var<A> const&, B const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator/(B const&, var<A> const&) { return detail::mixed_operands<A, B>(); }
// clang-format on

}  // namespace spmd::autograd
