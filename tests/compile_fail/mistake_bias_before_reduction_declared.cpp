// expect: spmd: P \+ R on this mesh axis
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (with declared types): the bias is added to the row-parallel pending sum: it would be added once per tp rank.
// Fix: reduce first, then add the bias.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

var<ActSp> block(Rank& r, var<ColOut> const& h, var<RowW> const& w2, var<Bias> const& b) {
  var<RowPartial> const y = autograd::matmul(h, w2, out_partial<"tp">) + b;
  return autograd::reduce_scatter<"tp", 0>(r, y);
}
