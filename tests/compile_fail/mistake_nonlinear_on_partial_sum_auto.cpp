// expect: spmd: a non-linear op received P \(a pending sum\) on this mesh axis
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (written with auto): gelu is applied to the pieces of the row-parallel pending sum.
// Fix: all_reduce first, then gelu.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto block(Rank& r, var<Act> const& x, var<ColW> const& w1, var<RowW> const& w2) {
  auto y = autograd::matmul(nn::column_parallel(r, x, w1), w2, out_partial<"tp">);
  return autograd::all_reduce<"tp", I>(r, autograd::gelu(y));
}
