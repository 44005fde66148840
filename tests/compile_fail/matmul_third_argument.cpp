// expect: spmd: matmul\(a, b, x\): the third argument must be out_partial
// Mistake: passes an axis name instead of out_partial<"tp">.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Ht = tensor<F2, Mesh, layout<R, S<1>>>;  // hidden activations, sharded on tp
using W2 = tensor<F2, Mesh, layout<R, S<0>>>;  // row-parallel weight

void f(Ht const& h, W2 const& w) {
  auto y = matmul(h, w, "tp");
  (void)y;
}
