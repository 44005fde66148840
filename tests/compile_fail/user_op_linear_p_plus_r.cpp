// expect: spmd: P \+ R on this mesh axis
// Mistake: a user's op linear in two operands together, given a pending sum and a whole value.
#include <spmd/autograd.hpp>
#include "user_op_prelude.hpp"

auto f(T<R, R> const& m, T<P, R> const& a, T<R, R> const& b) {
  return user::gate(m, a, b);
}
