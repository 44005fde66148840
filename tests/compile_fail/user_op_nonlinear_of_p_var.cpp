// expect: spmd: a non-linear op received P \(a pending sum\) on this mesh axis
// Mistake: a user's non-linear op on a pending sum, on an autograd variable.
#include <spmd/autograd.hpp>
#include "user_op_prelude.hpp"

auto f(Var<P, I> const& x) {
  return user::softsign_fn(x);
}
