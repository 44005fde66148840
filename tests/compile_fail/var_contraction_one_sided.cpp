// expect: spmd: a matmul/einsum contracts a dim that is sharded on this mesh axis in one operand only
// Mistake, on autograd variables: multiplies column-sharded activations by a whole weight: the contracted dim is sharded in one
// operand only. Fix: all_gather the activations, or shard the weight by rows.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto f(var<ColOut> const& h, var<Bias> const& w) {
  return autograd::matmul(h, w);
}
