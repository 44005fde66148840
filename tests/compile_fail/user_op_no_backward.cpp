// expect: spmd: autograd: this op's definition has no backward
// Mistake: a user's op without a backward, applied to autograd variables.
#include <spmd/autograd.hpp>
#include "user_op_prelude.hpp"

auto f(Var<V, R> const& a) {
  return user::forward_only(a);
}
