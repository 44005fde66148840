// expect: spmd: an operand that this op is not linear in \(a mask, a selector\) is P
// Mistake: a pending sum as the operand a user's op is not linear in, on variables.
#include <spmd/autograd.hpp>
#include "user_op_prelude.hpp"

auto f(Var<P, R> const& m, Var<P, R> const& a, Var<P, R> const& b) {
  return user::gate(m, a, b);
}
