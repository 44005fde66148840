// expect: spmd: mean over a dim that is sharded on this mesh axis would divide by the local extent
// Mistake, on autograd variables: averages sequence-sharded activations over the tokens (the divisor would be the local count).
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto f(var<ActSp> const& x) {
  return autograd::mean<0>(x);
}
