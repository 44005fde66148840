// expect: spmd: I \(invariant\) meets another type on this mesh axis
// Mistake: matmul of an invariant activation by a replicated weight.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;
using It = tensor<F2, Mesh, layout<R, I>>;
using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(It const& x, Rt const& w) {
  auto y = matmul(x, w);
  (void)y;
}
