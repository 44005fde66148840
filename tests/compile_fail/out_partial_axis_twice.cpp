// expect: spmd: out_partial names a mesh axis twice
// Mistake: out_partial names "tp" twice.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Ht = tensor<F2, Mesh, layout<R, S<1>>>;  // hidden activations, sharded on tp
using W2 = tensor<F2, Mesh, layout<R, S<0>>>;  // row-parallel weight

void f(Ht const& h, W2 const& w) {
  auto y = matmul(h, w, out_partial<"tp", "tp">);
  (void)y;
}
