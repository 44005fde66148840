// expect: spmd: x / P on this mesh axis
// Mistake: a user's op linear in its first operand only, with a pending sum second, on variables.
#include <spmd/autograd.hpp>
#include "user_op_prelude.hpp"

auto f(Var<R, I> const& a, Var<P, I> const& b) {
  return user::ratio(a, b);
}
