// expect: spmd: the operands live on different meshes
// Mistake: adds tensors of two different meshes.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Other = mesh<"dp", "cp">;
using Rt = tensor<F2, Mesh, layout<R, R>>;
using Ot = tensor<F2, Other, layout<R, R>>;

void f(Rt const& a, Ot const& b) {
  auto c = a + b;
  (void)c;
}
