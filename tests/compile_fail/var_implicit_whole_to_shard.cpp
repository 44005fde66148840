// expect: spmd: a whole \(R or I\) tensor is used where a shard S<d> is expected
// Mistake, on autograd variables: passes a whole (I) activation where the sequence-parallel shard is expected.
// Fix: convert<"tp", I, S<0>>(r, x), or reduce_scatter where all_reduce made it.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

void g(var<ActSp> const&);
void f(var<Act> const& x) {
  g(x);
}
