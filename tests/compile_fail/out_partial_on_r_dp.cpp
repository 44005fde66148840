// expect: spmd: out_partial names a mesh axis on which the result is R
// Mistake: out_partial<"dp", "tp"> on a row-parallel matmul whose result is R on dp.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Ht = tensor<F2, Mesh, layout<R, S<1>>>;  // hidden activations, sharded on tp
using W2 = tensor<F2, Mesh, layout<R, S<0>>>;  // row-parallel weight

void f(Ht const& h, W2 const& w) {
  auto y = matmul(h, w, out_partial<"dp", "tp">);
  (void)y;
}
