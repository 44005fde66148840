// expect: spmd: a matmul/einsum contracts a dim that is sharded on this mesh axis in both operands
// Mistake, on autograd variables: a row-parallel einsum without out_partial. Fix: einsum<"ij,jk->ik">(h, w, out_partial<"tp">).
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto f(var<ColOut> const& h, var<RowW> const& w) {
  return autograd::einsum<"ij,jk->ik">(h, w);
}
