// expect: spmd: reduce_scatter of a shard S<d> on this mesh axis
// Mistake: reduce-scatters a sharded tensor as if its pieces were terms of a sum.
#include <spmd/comm.hpp>
#include <spmd/runtime/threads.hpp>
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"tp">;
using F2 = local::dense<float, 2>;

auto f(threads::rank& r, tensor<F2, Mesh, layout<S<1>>> const& x) {
  return reduce_scatter<"tp", 0>(r, x);
}
