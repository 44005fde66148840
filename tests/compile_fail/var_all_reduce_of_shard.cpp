// expect: spmd: all_reduce of a shard S<d> on this mesh axis
// Mistake, on autograd variables: all-reduces sequence-sharded activations as if their pieces were terms of a sum.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto f(Rank& r, var<ActSp> const& x) {
  return autograd::all_reduce<"tp", I>(r, x);
}
