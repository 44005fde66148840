// expect: spmd: the operands live on different meshes
// Mistake: adds tensors of mesh<"dp", "tp"> and mesh<"tp", "dp">: axis order is part of the mesh.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;
using Tt = tensor<F2, mesh<"tp", "dp">, layout<R, R>>;

void f(Rt const& a, Tt const& b) {
  auto c = a + b;
  (void)c;
}
