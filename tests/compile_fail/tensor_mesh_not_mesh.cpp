// expect: spmd: tensor<Local, Mesh, Layout>: Mesh must be a spmd::mesh
// Mistake: basic_tensor (the class behind the tensor alias) given int as its mesh.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = basic_tensor<F2, int, layout<R>>;

void f() {
  X x;
  (void)x;
}
