// expect: spmd: the result would be sharded along two dims on this mesh axis.*all_gather<axis, R>
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (written with auto): sequence parallelism without the all-gather before the column-parallel matmul.
// Fix: autograd::matmul(autograd::all_gather<"tp", R>(r, x), w1).
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto block(var<ActSp> const& x, var<ColW> const& w1) {
  auto h = autograd::matmul(x, w1);
  return autograd::gelu(h);
}
