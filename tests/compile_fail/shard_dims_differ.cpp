// expect: spmd: S<a> with S<b> \(a != b\) elementwise on this mesh axis
// Mistake: adds a row-sharded and a column-sharded tensor: their pieces do not line up.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"tp">;
using F2 = local::dense<float, 2>;

auto f(tensor<F2, Mesh, layout<S<0>>> const& a, tensor<F2, Mesh, layout<S<1>>> const& b) {
  return a + b;
}
