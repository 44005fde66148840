// expect: spmd: P \* P on this mesh axis
// Mistake: a user's multilinear op with two pending sums, on autograd variables.
#include <spmd/autograd.hpp>
#include "user_op_prelude.hpp"

auto f(Var<P, R> const& a, Var<P, R> const& b) {
  return user::hadamard(a, b);
}
