// expect: spmd: reduce_scatter of a shard S<d> on this mesh axis
// Mistake, on autograd variables: reduce-scatters a column-sharded output (the row-parallel matmul lost its out_partial).
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto f(Rank& r, var<ColOut> const& h) {
  return autograd::reduce_scatter<"tp", 0>(r, h);
}
