// expect: spmd: a collective gathers or splits a dim over mesh axes that come before this mesh axis, which shards the same dim
// Mistake: reduce_scatter over dp (the outer axis) to S<0> while tp already shards dim 0: each
// rank would hold a piece of its tp block, not block i * |tp| + j. Fix: reduce_scatter over
// "dp,tp" at once from a tensor that is P on both, or split tp after dp.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

using PS = tensor<F2, Mesh, layout<P, S<0>>>;

void step(threads::rank& r, PS const& x) {
  auto y = reduce_scatter<"dp", 0>(r, x);
  (void)y;
}

int main() {}
