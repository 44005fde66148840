// expect: spmd: a collective gathers or splits a dim over mesh axes that come before this mesh axis, which shards the same dim
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (with declared types): FSDP over dp on top of a row-parallel weight (rows sharded over
// dp and tp): all-gathering over dp to get the tp shard back. The rows would come out tp-major
// under a type that says dp-major, so each tp rank would multiply by the wrong rows.
// Fix: the weight's dp shard is the inner one: gather "dp,tp" at once, or keep the FSDP shard on
// another dim (the columns), or redistribute.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

using FsdpRowW = nn::tensor2<T, S<0>, S<0>>;  // rows over dp, then tp

var<RowPartial> block(Rank& r, var<ColOut> const& h, var<FsdpRowW> const& w2) {
  var<RowW> const w = autograd::all_gather<"dp", R>(r, w2);
  return autograd::matmul(h, w, out_partial<"tp">);
}
