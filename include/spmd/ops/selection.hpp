// spmd/ops/selection.hpp - typed ops that pick elements: maximum, minimum, where, clamp.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

#include <spmd/core/grad.hpp>
#include <spmd/ops/detail/kernel_call.hpp>
#include <spmd/ops/elementwise.hpp>

// The kernel names the definitions below call (ops/detail/kernel_call.hpp).
namespace spmd::detail::kernel {
SPMD_DETAIL_KERNEL(maximum)
SPMD_DETAIL_KERNEL(minimum)
SPMD_DETAIL_KERNEL(extremum_backward)
SPMD_DETAIL_KERNEL(where)
SPMD_DETAIL_KERNEL(clamp)
SPMD_DETAIL_KERNEL(clamp_backward)
}  // namespace spmd::detail::kernel

namespace spmd {

namespace op {

/// The share of g that max(a, b) (`Larger`) or min(a, b) passes to a (linear in g).
template <bool Larger>
struct extremum_grad {
  static constexpr std::string_view name = "extremum_grad";
  static constexpr auto linearity = spmd::linearity::linear_in_first;
  static constexpr std::size_t arity = 3;
  static auto kernel(auto&& g, auto const& a, auto const& b) {
    return detail::kernel::extremum_backward_fn{}(std::forward<decltype(g)>(g), a, b, Larger);
  }
};

template <bool Larger>
struct extremum {
  static constexpr std::string_view name = Larger ? "maximum" : "minimum";
  static constexpr std::size_t arity = 2;
  static auto kernel(auto&& a, auto&& b) {
    if constexpr (Larger)
      return detail::kernel::maximum_fn{}(std::forward<decltype(a)>(a), std::forward<decltype(b)>(b));
    else
      return detail::kernel::minimum_fn{}(std::forward<decltype(a)>(a), std::forward<decltype(b)>(b));
  }
  template <std::size_t I>
  static auto backward(auto const& g, auto const&, auto const& a, auto const& b) {
    if constexpr (I == 0)
      return detail::unbroadcast(spmd::apply<extremum_grad<Larger>>(g, a, b), a);
    else
      return detail::unbroadcast(spmd::apply<extremum_grad<Larger>>(g, b, a), b);
  }
};
using maximum = extremum<true>;
using minimum = extremum<false>;

/// g where the mask is set (`Set`) or clear: the share of g that where(mask, a, b) passes to a
/// (or b). Linear in g; the mask is never a pending sum.
template <bool Set>
struct masked {
  static constexpr std::string_view name = "masked";
  static constexpr auto linearity = spmd::linearity::linear;
  static constexpr std::size_t arity = 2;
  static constexpr bool nonlinear_in(std::size_t operand) { return operand == 1; }
  static auto kernel(auto const& g, auto const& mask) {
    using T = typename std::remove_cvref_t<decltype(g)>::value_type;
    if constexpr (Set)
      return detail::kernel::where_fn{}(mask, g, T{0});
    else
      return detail::kernel::where_fn{}(mask, T{0}, g);
  }
};

/// where(mask, a, b): linear in a and b together (both P, or neither), not in the mask.
struct where {
  static constexpr std::string_view name = "where";
  static constexpr auto linearity = spmd::linearity::linear;
  static constexpr std::size_t arity = 3;
  static constexpr bool nonlinear_in(std::size_t operand) { return operand == 0; }
  static constexpr detail::kernel::where_fn kernel{};
  template <std::size_t I, class Mask>
  static auto backward(auto const& g, auto const&, Mask const& mask, auto const& a, auto const& b) {
    if constexpr (I == 0) {
      using grad = grad_t<Mask>;  // a mask takes no gradient: zero, valid in every placement
      return grad{typename grad::local_type(mask.local().shape(), typename grad::value_type{0})};
    } else if constexpr (I == 1) {
      return detail::unbroadcast(spmd::apply<masked<true>>(g, mask), a);
    } else {
      return detail::unbroadcast(spmd::apply<masked<false>>(g, mask), b);
    }
  }
};

/// g where lo <= x <= hi, else 0 (linear in g).
struct clamp_grad {
  static constexpr std::string_view name = "clamp_grad";
  static constexpr auto linearity = spmd::linearity::linear_in_first;
  static constexpr std::size_t arity = 2;
  static auto kernel(auto&& g, auto const& x, auto lo, auto hi) {
    return detail::kernel::clamp_backward_fn{}(x, std::forward<decltype(g)>(g), lo, hi);
  }
};
struct clamp {
  static constexpr std::string_view name = "clamp";
  static constexpr detail::kernel::clamp_fn kernel{};
  template <std::size_t>
  static auto backward(auto const& g, auto const&, auto const& x, auto lo, auto hi) {
    return spmd::apply<clamp_grad>(g, x, lo, hi);
  }
};

}  // namespace op

/// Elementwise max(a, b) of tensors of one mesh, or of a tensor and a number (non-linear: no P).
/// At a tie, the gradient is shared equally.
template <class A, class B>
  requires detail::binary_operands<A, B> || op_operand<A> || op_operand<B>
auto maximum(A&& a, B&& b) {
  return op_fn<op::maximum>{}(std::forward<A>(a), std::forward<B>(b));
}

/// Elementwise min(a, b), as maximum.
template <class A, class B>
  requires detail::binary_operands<A, B> || op_operand<A> || op_operand<B>
auto minimum(A&& a, B&& b) {
  return op_fn<op::minimum>{}(std::forward<A>(a), std::forward<B>(b));
}

/// Elementwise `mask != 0 ? a : b` (a mask of 1s and 0s of the same element type). Linear in a
/// and b together: both may be P (the result is P), but never the mask, and never a P next to an
/// R or a number. a or b may be a number.
template <op_operand Mask, class A, class B>
auto where(Mask&& mask, A&& a, B&& b) {
  return op_fn<op::where>{}(std::forward<Mask>(mask), std::forward<A>(a), std::forward<B>(b));
}

/// Elementwise min(max(x, lo), hi) (non-linear); the gradient passes where lo <= x <= hi.
template <op_operand T>
auto clamp(T&& x, detail::operand_value_t<T> lo, detail::operand_value_t<T> hi) {
  return op_fn<op::clamp>{}(std::forward<T>(x), lo, hi);
}

}  // namespace spmd
