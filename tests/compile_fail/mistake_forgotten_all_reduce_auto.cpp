// expect: spmd: a P \(pending sum\) tensor is used where another layout is expected
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (written with auto): the row-parallel output (P@tp) is returned as the block activation without its all-reduce.
// Fix: return autograd::all_reduce<"tp", I>(r, y).
#include <spmd/nn.hpp>
#include "catalogue.hpp"

var<Act> block(Rank& r, var<Act> const& x, var<ColW> const& w1, var<RowW> const& w2) {
  auto h = autograd::gelu(nn::column_parallel(r, x, w1));
  auto y = autograd::matmul(h, w2, out_partial<"tp">);
  return y;
}
