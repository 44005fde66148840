// expect: spmd: S<a> with S<b> \(a != b\) elementwise on this mesh axis
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (written with auto): adds the sequence-sharded residual (S0 on tp) to a column-sharded output (S1 on tp).
// Fix: bring both to one layout first (reduce_scatter the row-parallel output).
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto f(var<ActSp> const& x, var<ColOut> const& h) {
  auto y = x + h;
  return autograd::gelu(y);
}
