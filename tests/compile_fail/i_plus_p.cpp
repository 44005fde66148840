// expect: spmd: I \(invariant\) meets another type on this mesh axis
// Mistake: adds an invariant tensor to a pending sum.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;
using It = tensor<F2, Mesh, layout<R, I>>;
using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp

void f(It const& a, Pt const& b) {
  auto c = a + b;
  (void)c;
}
