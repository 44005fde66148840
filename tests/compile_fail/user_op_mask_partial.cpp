// expect: spmd: an operand that this op is not linear in \(a mask, a selector\) is P
// Mistake: a pending sum as the operand a user's op is not linear in.
#include <spmd/autograd.hpp>
#include "user_op_prelude.hpp"

auto f(T<P, R> const& m, T<P, R> const& a, T<P, R> const& b) {
  return user::gate(m, a, b);
}
