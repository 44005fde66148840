// expect: spmd: reduce_scatter produces a shard
// Mistake: redistribute a pending sum to a plain V (a shard needs its dim: S<d>).
#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
template <class Pdp, class Ptp>
using T = tensor<local::dense<float, 2>, Mesh, layout<Pdp, Ptp>>;

auto step(threads::rank& r, T<P, R> const& x) {
  return redistribute<layout<V, R>>(r, x);
}

int main() {}
