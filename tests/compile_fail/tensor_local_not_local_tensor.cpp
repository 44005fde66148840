// expect: spmd: tensor<Local, Mesh, Layout>: Local must model spmd::local_tensor
// Mistake: a tensor whose local type is float, not a local tensor type.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;

using X = tensor<float, Mesh, layout<R, R>>;

void f() {
  X x;
  (void)x;
}
