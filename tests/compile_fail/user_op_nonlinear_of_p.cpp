// expect: spmd: a non-linear op received P \(a pending sum\) on this mesh axis
// Mistake: a user's non-linear op (no linearity member) on a pending sum.
#include <spmd/autograd.hpp>
#include "user_op_prelude.hpp"

auto f(T<V, P> const& x) {
  return user::softsign_fn(x);
}
