// expect: spmd: a whole \(R or I\) tensor is used where a shard S<d> is expected.*reduce_scatter
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (with declared types): with sequence parallelism the row-parallel output is all-reduced (whole on every rank) where
// the block must return its tokens' shard. Fix: autograd::reduce_scatter<"tp", 0>(r, y).
#include <spmd/nn.hpp>
#include "catalogue.hpp"

var<ActSp> block(Rank& r, var<ColOut> const& h, var<RowW> const& w2) {
  var<RowPartial> const y = autograd::matmul(h, w2, out_partial<"tp">);
  var<ActSp> const out = autograd::all_reduce<"tp", I>(r, y);
  return out;
}
