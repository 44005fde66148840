// spmd/ops/elementwise.hpp - typed unary and binary elementwise ops: -x, exp, relu, a + b, a * 2, ...
//
// Each op is one definition (ops/define.hpp): its linearity, dim map, kernel and backward.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

#include <spmd/ops/define.hpp>
#include <spmd/ops/detail/checks.hpp>
#include <spmd/ops/detail/gradients.hpp>
#include <spmd/ops/detail/kernel_call.hpp>
#include <spmd/rules/dim_maps.hpp>
#include <spmd/rules/linearity.hpp>
#include <spmd/tensor.hpp>

// The kernel names the definitions below call (ops/detail/kernel_call.hpp).
namespace spmd::detail::kernel {
SPMD_DETAIL_KERNEL(neg)
SPMD_DETAIL_KERNEL(exp)
SPMD_DETAIL_KERNEL(log)
SPMD_DETAIL_KERNEL(tanh)
SPMD_DETAIL_KERNEL(sqrt)
SPMD_DETAIL_KERNEL(relu)
SPMD_DETAIL_KERNEL(relu_backward)
SPMD_DETAIL_KERNEL(gelu)
SPMD_DETAIL_KERNEL(gelu_backward)
SPMD_DETAIL_KERNEL(softmax)
SPMD_DETAIL_KERNEL(softmax_backward)
SPMD_DETAIL_KERNEL(abs)
SPMD_DETAIL_KERNEL(abs_backward)
SPMD_DETAIL_KERNEL(rsqrt)
SPMD_DETAIL_KERNEL(pow)
SPMD_DETAIL_KERNEL(log_softmax)
SPMD_DETAIL_KERNEL(log_softmax_backward)
SPMD_DETAIL_KERNEL(add)
SPMD_DETAIL_KERNEL(sub)
SPMD_DETAIL_KERNEL(mul)
SPMD_DETAIL_KERNEL(div)
}  // namespace spmd::detail::kernel

namespace spmd {

/// The definitions of the built-in ops (ops/define.hpp); each names its op in the diagnostics.
namespace op {

// ---- unary -----------------------------------------------------------------------------------

struct neg {
  static constexpr std::string_view name = "neg";
  static constexpr auto linearity = spmd::linearity::linear;
  static constexpr detail::kernel::neg_fn kernel{};
  template <std::size_t>
  static auto backward(auto const& g, auto const&, auto const&) {
    return spmd::apply<neg>(g);
  }
};
struct exp {
  static constexpr std::string_view name = "exp";
  static constexpr detail::kernel::exp_fn kernel{};
  template <std::size_t>
  static auto backward(auto const& g, auto const& y, auto const&) {
    return g * y;
  }
};
struct log {
  static constexpr std::string_view name = "log";
  static constexpr detail::kernel::log_fn kernel{};
  template <std::size_t>
  static auto backward(auto const& g, auto const&, auto const& x) {
    return g / x;
  }
};
struct tanh {
  static constexpr std::string_view name = "tanh";
  static constexpr detail::kernel::tanh_fn kernel{};
  template <std::size_t>
  static auto backward(auto const& g, auto const& y, auto const&) {
    return g * (typename std::remove_cvref_t<decltype(y)>::value_type{1} - y * y);
  }
};
struct sqrt {
  static constexpr std::string_view name = "sqrt";
  static constexpr detail::kernel::sqrt_fn kernel{};
  template <std::size_t>
  static auto backward(auto const& g, auto const& y, auto const&) {
    return g / (y * typename std::remove_cvref_t<decltype(y)>::value_type{2});
  }
};

/// g * f'(x) for a pointwise op f whose local kernel `backward(x, g)` computes it: linear in
/// the gradient g, which may be a pending sum; x may not.
template <class BackwardKernel>
struct pointwise_grad {
  static constexpr std::string_view name = "pointwise_grad";
  static constexpr auto linearity = spmd::linearity::linear_in_first;
  static constexpr std::size_t arity = 2;
  static auto kernel(auto&& g, auto const& x) { return BackwardKernel{}(x, std::forward<decltype(g)>(g)); }
};
/// A non-linear pointwise op whose gradient is a local kernel of the input and g.
template <class Kernel, class BackwardKernel>
struct pointwise {
  static constexpr Kernel kernel{};
  template <std::size_t>
  static auto backward(auto const& g, auto const&, auto const& x) {
    return spmd::apply<pointwise_grad<BackwardKernel>>(g, x);
  }
};

struct relu : pointwise<detail::kernel::relu_fn, detail::kernel::relu_backward_fn> {
  static constexpr std::string_view name = "relu";
};
/// GELU, tanh approximation.
struct gelu : pointwise<detail::kernel::gelu_fn, detail::kernel::gelu_backward_fn> {
  static constexpr std::string_view name = "gelu";
};
struct abs : pointwise<detail::kernel::abs_fn, detail::kernel::abs_backward_fn> {
  static constexpr std::string_view name = "abs";
};

/// The gradient through y = f(x) for a non-linear op f along `Dim` (softmax, log_softmax), from
/// g and y by the local kernel `backward(y, g, Dim)`: linear in g.
template <int Dim, class BackwardKernel>
struct along_grad {
  static constexpr std::string_view name = "along_grad";
  static constexpr auto linearity = spmd::linearity::linear_in_first;
  static constexpr std::size_t arity = 2;
  using dims = rules::along_dims<Dim>;
  static auto kernel(auto&& g, auto const& y) {
    return BackwardKernel{}(y, std::forward<decltype(g)>(g), static_cast<std::size_t>(Dim));
  }
};
/// A non-linear op along `Dim` whose local kernels are `kernel(x, Dim)` and `backward(y, g, Dim)`.
template <int Dim, class Kernel, class BackwardKernel>
struct along {
  using dims = rules::along_dims<Dim>;
  template <class X>
  static consteval bool check() {
    static_assert(detail::dim_in_range<Dim, X::ndim>,
                  "spmd: softmax<Dim> and log_softmax<Dim>: Dim must be a dim of the tensor");
    return detail::dim_in_range<Dim, X::ndim>;
  }
  static auto kernel(auto&& x) { return Kernel{}(std::forward<decltype(x)>(x), static_cast<std::size_t>(Dim)); }
  template <std::size_t>
  static auto backward(auto const& g, auto const& y, auto const&) {
    return spmd::apply<along_grad<Dim, BackwardKernel>>(g, y);
  }
};

template <int Dim>
struct softmax : along<Dim, detail::kernel::softmax_fn, detail::kernel::softmax_backward_fn> {
  static constexpr std::string_view name = "softmax";
};
template <int Dim>
struct log_softmax : along<Dim, detail::kernel::log_softmax_fn, detail::kernel::log_softmax_backward_fn> {
  static constexpr std::string_view name = "log_softmax";
};

struct rsqrt {
  static constexpr std::string_view name = "rsqrt";
  static constexpr detail::kernel::rsqrt_fn kernel{};
  /// d/dx x^(-1/2) = -y^3 / 2.
  template <std::size_t>
  static auto backward(auto const& g, auto const& y, auto const&) {
    using T = typename std::remove_cvref_t<decltype(y)>::value_type;
    return g * (y * y * y * T{-0.5});
  }
};
/// x^p for a number p (an attribute, not an operand).
struct pow {
  static constexpr std::string_view name = "pow";
  static constexpr detail::kernel::pow_fn kernel{};
  template <std::size_t, class X>
  static auto backward(auto const& g, auto const&, X const& x, typename X::value_type p) {
    return g * (spmd::apply<pow>(x, p - 1) * p);
  }
};

// ---- binary (tensors, or a tensor and a number) ---------------------------------------------

struct add {
  static constexpr std::string_view name = "add";
  static constexpr auto linearity = spmd::linearity::linear;
  static constexpr std::size_t arity = 2;
  static constexpr detail::kernel::add_fn kernel{};
  template <std::size_t I>
  static auto backward(auto const& g, auto const&, auto const& a, auto const& b) {
    if constexpr (I == 0)
      return detail::unbroadcast(g, a);
    else
      return detail::unbroadcast(g, b);
  }
};
struct sub {
  static constexpr std::string_view name = "sub";
  static constexpr auto linearity = spmd::linearity::linear;
  static constexpr std::size_t arity = 2;
  static constexpr detail::kernel::sub_fn kernel{};
  template <std::size_t I>
  static auto backward(auto const& g, auto const&, auto const& a, auto const& b) {
    if constexpr (I == 0)
      return detail::unbroadcast(g, a);
    else
      return detail::unbroadcast(spmd::apply<neg>(g), b);
  }
};
struct mul {
  static constexpr std::string_view name = "mul";
  static constexpr auto linearity = spmd::linearity::multilinear;
  static constexpr std::size_t arity = 2;
  static constexpr detail::kernel::mul_fn kernel{};
  template <std::size_t I>
  static auto backward(auto const& g, auto const&, auto const& a, auto const& b) {
    if constexpr (I == 0)
      return detail::unbroadcast(spmd::apply<mul>(g, b), a);
    else
      return detail::unbroadcast(spmd::apply<mul>(g, a), b);
  }
};
struct div {
  static constexpr std::string_view name = "div";
  static constexpr auto linearity = spmd::linearity::linear_in_first;
  static constexpr std::size_t arity = 2;
  static constexpr detail::kernel::div_fn kernel{};
  template <std::size_t I>
  static auto backward(auto const& g, auto const& y, auto const& a, auto const& b) {
    if constexpr (I == 0)
      return detail::unbroadcast(spmd::apply<div>(g, b), a);
    else
      return detail::unbroadcast(spmd::apply<neg>(spmd::apply<div>(spmd::apply<mul>(g, y), b)), b);
  }
};

}  // namespace op

namespace detail {
template <class A, class B>
concept binary_operands = (typed_tensor<A> && tensor_or_scalar<B>) || (tensor_or_scalar<A> && typed_tensor<B>);
}  // namespace detail

// Functions (not objects), so that they overload with <cmath> and are found by ADL; each applies
// its definition to typed tensors or, with <spmd/autograd.hpp>, to variables.
// clang-format off
/// Elementwise negation (linear: P stays P).
template <op_operand T> auto neg(T&& x)  { return op_fn<op::neg>{}(std::forward<T>(x)); }
/// Elementwise e^x (non-linear: no P).
template <op_operand T> auto exp(T&& x)  { return op_fn<op::exp>{}(std::forward<T>(x)); }
/// Elementwise natural logarithm (non-linear).
template <op_operand T> auto log(T&& x)  { return op_fn<op::log>{}(std::forward<T>(x)); }
/// Elementwise tanh (non-linear).
template <op_operand T> auto tanh(T&& x) { return op_fn<op::tanh>{}(std::forward<T>(x)); }
/// Elementwise max(x, 0) (non-linear).
template <op_operand T> auto relu(T&& x) { return op_fn<op::relu>{}(std::forward<T>(x)); }
/// Elementwise GELU, tanh approximation (non-linear).
template <op_operand T> auto gelu(T&& x) { return op_fn<op::gelu>{}(std::forward<T>(x)); }
/// Elementwise square root (non-linear).
template <op_operand T> auto sqrt(T&& x) { return op_fn<op::sqrt>{}(std::forward<T>(x)); }
// clang-format on

/// Softmax along tensor dim `Dim` (non-linear: no P; an S on another dim is kept, an S on `Dim`
/// is an error: each rank would normalise its piece only).
template <int Dim, op_operand T>
auto softmax(T&& x) {
  return op_fn<op::softmax<Dim>>{}(std::forward<T>(x));
}

// clang-format off
/// Elementwise |x| (non-linear).
template <op_operand T> auto abs(T&& x)   { return op_fn<op::abs>{}(std::forward<T>(x)); }
/// Elementwise 1 / sqrt(x) (non-linear).
template <op_operand T> auto rsqrt(T&& x) { return op_fn<op::rsqrt>{}(std::forward<T>(x)); }
// clang-format on

/// Elementwise x^p for a number p (non-linear).
template <op_operand T>
auto pow(T&& x, typename detail::operand_value_t<T> p) {
  return op_fn<op::pow>{}(std::forward<T>(x), p);
}

/// log(softmax<Dim>(x)), computed stably (non-linear; an S on `Dim` is an error, as for softmax).
template <int Dim, op_operand T>
auto log_softmax(T&& x) {
  return op_fn<op::log_softmax<Dim>>{}(std::forward<T>(x));
}

/// -x: elementwise negation.
template <typed_tensor T>
auto operator-(T&& x) {
  return spmd::apply<op::neg>(std::forward<T>(x));
}

/// a + b (linear): tensors of one mesh, or a tensor and a number.
template <class A, class B>
  requires detail::binary_operands<A, B>
auto operator+(A&& a, B&& b) {
  return spmd::apply<op::add>(std::forward<A>(a), std::forward<B>(b));
}
/// a - b (linear).
template <class A, class B>
  requires detail::binary_operands<A, B>
auto operator-(A&& a, B&& b) {
  return spmd::apply<op::sub>(std::forward<A>(a), std::forward<B>(b));
}
/// a * b, elementwise (multilinear: at most one P factor).
template <class A, class B>
  requires detail::binary_operands<A, B>
auto operator*(A&& a, B&& b) {
  return spmd::apply<op::mul>(std::forward<A>(a), std::forward<B>(b));
}
/// a / b, elementwise (linear in a only: P / R is P, x / P is an error).
template <class A, class B>
  requires detail::binary_operands<A, B>
auto operator/(A&& a, B&& b) {
  return spmd::apply<op::div>(std::forward<A>(a), std::forward<B>(b));
}

}  // namespace spmd
