// expect: spmd: tensor<Local, Mesh, Layout>: Mesh must be a spmd::mesh
// Mistake: basic_tensor (the class behind the tensor alias) given int as its mesh.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;

using X = basic_tensor<F2, int, layout<R>>;

void f() {
  X x;
  (void)x;
}
