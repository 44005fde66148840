// expect: spmd: a sum over a dim that is sharded on this mesh axis leaves a partial sum on each rank: pass out_partial<axis>
// Mistake: sums a row-sharded tensor over its rows as if each rank held them all.
// Fix: sum<0>(x, out_partial<"tp">), then reduce.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"tp">;
using F2 = local::dense<float, 2>;

auto f(tensor<F2, Mesh, layout<S<0>>> const& x) {
  return sum<0>(x);
}
