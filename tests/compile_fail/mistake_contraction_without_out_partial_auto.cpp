// expect: spmd: a matmul/einsum contracts a dim that is sharded on this mesh axis in both operands.*out_partial<axis>
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (written with auto): the row-parallel matmul without out_partial: each rank's product is only a partial sum.
// Fix: autograd::matmul(h, w2, out_partial<"tp">), then reduce.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto f(Rank& r, var<ColOut> const& h, var<RowW> const& w2) {
  auto y = autograd::matmul(h, w2);
  return autograd::all_reduce<"tp", I>(r, y);
}
