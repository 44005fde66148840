// expect: spmd: a non-linear op works along a dim that is sharded on this mesh axis
// Mistake, on autograd variables: softmax over vocab-sharded logits. Fix: nn::vocab_parallel_cross_entropy, or all_gather first.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto f(var<ColOut> const& logits) {
  return autograd::softmax<1>(logits);
}
