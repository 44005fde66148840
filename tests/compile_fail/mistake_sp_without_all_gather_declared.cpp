// expect: spmd: the result would be sharded along two dims on this mesh axis.*all_gather<axis, R>
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (with declared types): sequence parallelism without the all-gather before the column-parallel matmul.
// Fix: autograd::matmul(autograd::all_gather<"tp", R>(r, x), w1).
#include <spmd/nn.hpp>
#include "catalogue.hpp"

var<ColOut> block(var<ActSp> const& x, var<ColW> const& w1) {
  var<ColOut> const h = autograd::matmul(x, w1);
  return autograd::gelu(h);
}
