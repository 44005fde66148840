// expect: spmd: this axis name is not an axis of the mesh
// Mistake: out_partial names "pt", which is not an axis of the mesh.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Ht = tensor<F2, Mesh, layout<R, S<1>>>;  // hidden activations, sharded on tp
using W2 = tensor<F2, Mesh, layout<R, S<0>>>;  // row-parallel weight

void f(Ht const& h, W2 const& w) {
  auto y = matmul(h, w, out_partial<"pt">);
  (void)y;
}
