// expect: spmd: mean over a dim that is sharded on this mesh axis would divide by the local extent
// Mistake: averages a row-sharded tensor over its rows (the divisor would be the local row count).
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"tp">;
using F2 = local::dense<float, 2>;

auto f(tensor<F2, Mesh, layout<S<0>>> const& x) {
  return mean<0>(x);
}
