// expect: spmd: x / P on this mesh axis
// Mistake: a user's op that is linear in its first operand only, with a pending sum second.
#include <spmd/autograd.hpp>
#include "user_op_prelude.hpp"

auto f(T<R, I> const& a, T<P, I> const& b) {
  return user::ratio(a, b);
}
