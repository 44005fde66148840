// expect: spmd: out_partial names a mesh axis on which the contraction did not run over the sharded dim
// Mistake, on autograd variables: declares the column-parallel output a pending sum; it is a shard S(1).
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto f(var<Gathered> const& x, var<ColW> const& w) {
  return autograd::matmul(x, w, out_partial<"tp">);
}
