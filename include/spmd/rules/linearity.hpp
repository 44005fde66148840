// spmd/rules/linearity.hpp - how an op treats pending sums (P): the classification every op declares.
#pragma once

namespace spmd {

/// How an op relates sums to sums; this decides which P (pending-sum) operands it accepts.
enum class linearity {
  nonlinear,        ///< f(a + b) != f(a) + f(b): no P operand (relu, exp, softmax, ...)
  linear,           ///< linear in all operands jointly: all operands P -> P (+, -, concat, sum, transpose)
  multilinear,      ///< linear in each operand separately: one P factor, the others R (*, matmul, einsum)
  linear_in_first,  ///< linear in the first operand only: P / R -> P, x / P is an error (division)
};

namespace detail {
template <class Op>
consteval linearity linearity_of_impl() {
  if constexpr (requires { Op::linearity; })
    return Op::linearity;
  else
    return linearity::nonlinear;
}
}  // namespace detail

/// The linearity an op tag declares through a static member `linearity`; non-linear by default.
template <class Op>
inline constexpr linearity linearity_of = detail::linearity_of_impl<Op>();

}  // namespace spmd
