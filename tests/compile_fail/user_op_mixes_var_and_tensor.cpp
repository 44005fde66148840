// expect: spmd: autograd: an op mixes an autograd::var and a plain typed tensor
// Mistake: a user's op given a variable and a plain tensor.
#include <spmd/autograd.hpp>
#include "user_op_prelude.hpp"

auto f(Var<V, R> const& a, T<R, R> const& b) {
  return user::hadamard(a, b);
}
