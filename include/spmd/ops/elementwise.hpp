// spmd/ops/elementwise.hpp - typed unary and binary elementwise ops: -x, exp, relu, a + b, a * 2, ...
#pragma once

#include <type_traits>
#include <utility>

#include <spmd/ops/detail/checks.hpp>
#include <spmd/ops/detail/kernel_call.hpp>
#include <spmd/rules/dim_maps.hpp>
#include <spmd/rules/layout_rule.hpp>
#include <spmd/rules/ops.hpp>
#include <spmd/rules/out_partial.hpp>
#include <spmd/tensor.hpp>

namespace spmd {

namespace detail {

/// The result of an op whose rule has already said why it is rejected: ill_typed on the
/// rejected axes, no data, so that no follow-up error buries the diagnostic.
template <class Local, class Mesh, class Layout>
auto rejected() {
  return basic_tensor<Local, Mesh, Layout>{};
}

/// Applies a one-operand op: the result layout comes from the rule of `Op` with dim map `DimMap`
/// and the axes of `OutPartial` declared pending sums.
template <class Op, class DimMap, class OutPartial = no_out_partial, class Kernel, typed_tensor T, class... Args>
auto apply_unary(Kernel kernel, T&& x, Args&&... args) {
  using X = bare<T>;
  using rule = rules::op_rule<Op, typename X::mesh_type, DimMap, OutPartial, typename X::layout_type>;
  using out_layout = typename rule::type;
  if constexpr (!rule::valid) {
    static_cast<void>(sizeof(typename rule::diagnosis));  // the rule's static_assert
    return rejected<typename X::local_type, typename X::mesh_type, out_layout>();
  } else {
    static_assert(std::is_invocable_v<Kernel, decltype(std::forward<T>(x).local()), Args...>,
                  "spmd: the local tensor type has no kernel for this op; provide it as a free function "
                  "found by argument-dependent lookup (local::dense has its kernels in <spmd/dense.hpp>)");
    auto out = kernel(std::forward<T>(x).local(), std::forward<Args>(args)...);
    return basic_tensor<decltype(out), typename X::mesh_type, out_layout>(std::move(out));
  }
}

/// Applies a two-operand op with dim map `DimMap` to tensors and/or numbers; an R operand next
/// to a shard is checked at run time to broadcast along the shard's dim.
template <class Op, class DimMap = rules::same_dims, class Kernel, class A, class B, class... Args>
auto apply_binary(Kernel kernel, A&& a, B&& b, Args&&... args) {
  using tensor_operand = std::conditional_t<typed_tensor<A>, A, B>;
  using local = typename bare<tensor_operand>::local_type;
  using mesh = typename common_mesh<A, B>::type;
  if constexpr (!same_mesh<A, B>()) {
    return rejected<local, mesh, ill_typed_layout_t<mesh>>();
  } else {
    using la = typename operand_traits<A>::layout;
    using lb = typename operand_traits<B>::layout;
    using rule = rules::op_rule<Op, mesh, DimMap, no_out_partial, la, lb>;
    using out_layout = typename rule::type;
    if constexpr (!rule::valid) {
      static_cast<void>(sizeof(typename rule::diagnosis));  // the rule's static_assert
      return rejected<local, mesh, out_layout>();
    } else {
      static_assert(std::is_invocable_v<Kernel, decltype(local_operand<tensor_operand>(std::forward<A>(a))),
                                        decltype(local_operand<tensor_operand>(std::forward<B>(b))), Args...>,
                    "spmd: the local tensor types have no kernel for this op (different element types or "
                    "ranks?); provide it as a free function found by argument-dependent lookup "
                    "(local::dense has its kernels in <spmd/dense.hpp>)");
      check_broadcasts<DimMap, mesh, out_layout>(a, b);
      auto out = kernel(local_operand<tensor_operand>(std::forward<A>(a)),
                        local_operand<tensor_operand>(std::forward<B>(b)), std::forward<Args>(args)...);
      return basic_tensor<decltype(out), mesh, out_layout>(std::move(out));
    }
  }
}

template <class A, class B>
concept binary_operands = (typed_tensor<A> && tensor_or_scalar<B>) || (tensor_or_scalar<A> && typed_tensor<B>);

}  // namespace detail

// clang-format off
/// Elementwise negation (linear: P stays P).
template <typed_tensor T> auto neg(T&& x)  { return detail::apply_unary<op::neg,  rules::same_dims>(detail::kernel::neg_fn{},  std::forward<T>(x)); }
/// Elementwise e^x (non-linear: no P).
template <typed_tensor T> auto exp(T&& x)  { return detail::apply_unary<op::exp,  rules::same_dims>(detail::kernel::exp_fn{},  std::forward<T>(x)); }
/// Elementwise natural logarithm (non-linear).
template <typed_tensor T> auto log(T&& x)  { return detail::apply_unary<op::log,  rules::same_dims>(detail::kernel::log_fn{},  std::forward<T>(x)); }
/// Elementwise tanh (non-linear).
template <typed_tensor T> auto tanh(T&& x) { return detail::apply_unary<op::tanh, rules::same_dims>(detail::kernel::tanh_fn{}, std::forward<T>(x)); }
/// Elementwise max(x, 0) (non-linear).
template <typed_tensor T> auto relu(T&& x) { return detail::apply_unary<op::relu, rules::same_dims>(detail::kernel::relu_fn{}, std::forward<T>(x)); }
/// Elementwise GELU, tanh approximation (non-linear).
template <typed_tensor T> auto gelu(T&& x) { return detail::apply_unary<op::gelu, rules::same_dims>(detail::kernel::gelu_fn{}, std::forward<T>(x)); }
/// Elementwise square root (non-linear).
template <typed_tensor T> auto sqrt(T&& x) { return detail::apply_unary<op::sqrt, rules::same_dims>(detail::kernel::sqrt_fn{}, std::forward<T>(x)); }
// clang-format on

/// Softmax along tensor dim `Dim` (non-linear: no P; an S on another dim is kept, an S on `Dim`
/// is an error: each rank would normalise its piece only).
template <int Dim, typed_tensor T>
auto softmax(T&& x) {
  static_assert(detail::dim_in_range<Dim, detail::bare<T>::rank>, "spmd: softmax<Dim>: Dim must be a dim of the tensor");
  return detail::apply_unary<op::softmax, rules::along_dims<Dim>>(detail::kernel::softmax_fn{}, std::forward<T>(x),
                                                            static_cast<std::size_t>(Dim));
}

/// -x: elementwise negation.
template <typed_tensor T>
auto operator-(T&& x) {
  return neg(std::forward<T>(x));
}

/// a + b (linear): tensors of one mesh, or a tensor and a number.
template <class A, class B>
  requires detail::binary_operands<A, B>
auto operator+(A&& a, B&& b) {
  return detail::apply_binary<op::add>(detail::kernel::add_fn{}, std::forward<A>(a), std::forward<B>(b));
}
/// a - b (linear).
template <class A, class B>
  requires detail::binary_operands<A, B>
auto operator-(A&& a, B&& b) {
  return detail::apply_binary<op::sub>(detail::kernel::sub_fn{}, std::forward<A>(a), std::forward<B>(b));
}
/// a * b, elementwise (multilinear: at most one P factor).
template <class A, class B>
  requires detail::binary_operands<A, B>
auto operator*(A&& a, B&& b) {
  return detail::apply_binary<op::mul>(detail::kernel::mul_fn{}, std::forward<A>(a), std::forward<B>(b));
}
/// a / b, elementwise (linear in a only: P / R is P, x / P is an error).
template <class A, class B>
  requires detail::binary_operands<A, B>
auto operator/(A&& a, B&& b) {
  return detail::apply_binary<op::div>(detail::kernel::div_fn{}, std::forward<A>(a), std::forward<B>(b));
}

}  // namespace spmd
