// expect: spmd: a collective gathers or splits a dim over mesh axes that come before this mesh axis, which shards the same dim
// Mistake: all_gather over dp (the outer axis) while tp still shards the same dim: the blocks
// would come out tp-major under a type that says dp-major. Fix: gather over tp first, or over
// "dp,tp" at once.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

using Both = tensor<F2, Mesh, layout<S<0>, S<0>>>;

void step(threads::rank& r, Both const& x) {
  auto y = all_gather<"dp", R>(r, x);
  (void)y;
}

int main() {}
