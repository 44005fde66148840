// expect: spmd: P \* P on this mesh axis
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (with declared types): multiplies two pending sums (the product of sums is not the sum of products).
// Fix: all_reduce one of them first.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

var<Act> f(Rank& r, var<ColOut> const& h, var<RowW> const& w2) {
  var<RowPartial> const y = autograd::matmul(h, w2, out_partial<"tp">);
  var<RowPartial> const sq = y * y;
  return autograd::all_reduce<"tp", I>(r, sq);
}
