// User ops for the tests of op definitions (ops/define.hpp): one per linearity class, with
// kernels on local::dense. Used by tests/compile_pass/user_ops.cpp and the compile_fail/user_op_*
// cases.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

#include <spmd/autograd.hpp>
#include <spmd/spmd.hpp>

namespace user {

// Kernels on local::dense, found by argument-dependent lookup through the definitions.
template <class T, std::size_t Ndim>
spmd::local::dense<T, Ndim> softsign(spmd::local::dense<T, Ndim> x) {
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] /= T{1} + (x.data()[i] < 0 ? -x.data()[i] : x.data()[i]);
  return x;
}

/// Non-linear, one operand (no linearity member).
struct softsign_op {
  static constexpr std::string_view name = "softsign";
  static auto kernel(auto x) { return softsign(std::move(x)); }
  template <std::size_t>
  static auto backward(auto const& g, auto const&, auto const& x) {
    auto d = spmd::abs(x) + 1.0;
    return g / (d * d);
  }
};
/// Linear: P stays P.
struct twice_op {
  static constexpr std::string_view name = "twice";
  static constexpr auto linearity = spmd::linearity::linear;
  static auto kernel(auto x) { return spmd::local::mul(std::move(x), 2.0); }
  template <std::size_t>
  static auto backward(auto const& g, auto const&, auto const&) {
    return g * 2.0;
  }
};
/// Multilinear: one P factor.
struct hadamard_op {
  static constexpr std::string_view name = "hadamard";
  static constexpr auto linearity = spmd::linearity::multilinear;
  static constexpr std::size_t arity = 2;
  static auto kernel(auto const& a, auto const& b) { return spmd::local::mul(a, b); }
  template <std::size_t I>
  static auto backward(auto const& g, auto const&, auto const& a, auto const& b) {
    if constexpr (I == 0)
      return g * b;
    else
      return g * a;
  }
};
/// Linear in the first operand only.
struct ratio_op {
  static constexpr std::string_view name = "ratio";
  static constexpr auto linearity = spmd::linearity::linear_in_first;
  static constexpr std::size_t arity = 2;
  static auto kernel(auto const& a, auto const& b) { return spmd::local::div(a, b); }
  template <std::size_t I>
  static auto backward(auto const& g, auto const& y, auto const&, auto const& b) {
    if constexpr (I == 0)
      return g / b;
    else
      return -(g * y) / b;
  }
};
/// Linear in operands 1 and 2 together, not in operand 0 (a gate).
struct gate_op {
  static constexpr std::string_view name = "gate";
  static constexpr auto linearity = spmd::linearity::linear;
  static constexpr std::size_t arity = 3;
  static constexpr bool nonlinear_in(std::size_t operand) { return operand == 0; }
  static auto kernel(auto const& m, auto const& a, auto const& b) { return spmd::local::where(m, a, b); }
  template <std::size_t I>
  static auto backward(auto const& g, auto const& y, auto const& m, auto const& a, auto const& b) {
    return spmd::op::where::backward<I>(g, y, m, a, b);  // the built-in where's gradients
  }
};
/// A definition without a backward: fine on tensors, refused on variables.
struct forward_only_op {
  static constexpr std::string_view name = "forward_only";
  static auto kernel(auto x) { return x; }
};

inline constexpr spmd::op_fn<softsign_op> softsign_fn{};
inline constexpr spmd::op_fn<twice_op> twice{};
inline constexpr spmd::op_fn<hadamard_op> hadamard{};
inline constexpr spmd::op_fn<ratio_op> ratio{};
inline constexpr spmd::op_fn<gate_op> gate{};
inline constexpr spmd::op_fn<forward_only_op> forward_only{};

}  // namespace user
