// expect: spmd: a sum over a dim that is sharded on this mesh axis leaves a partial sum on each rank
// Mistake, on autograd variables: sums sequence-sharded activations over the tokens as if each rank held them all.
// Fix: autograd::sum<0>(x, out_partial<"tp">), then reduce.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto f(var<ActSp> const& x) {
  return autograd::sum<0>(x);
}
