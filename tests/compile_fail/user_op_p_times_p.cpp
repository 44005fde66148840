// expect: spmd: P \* P on this mesh axis
// Mistake: a user's multilinear op with two pending sums.
#include <spmd/autograd.hpp>
#include "user_op_prelude.hpp"

auto f(T<V, P> const& a, T<V, P> const& b) {
  return user::hadamard(a, b);
}
