// expect: spmd: a collective gathers or splits a dim over mesh axes that come before this mesh axis, which shards the same dim
// Mistake: convert<"dp", R, S<0>> while tp already shards dim 0 (the chunk of a chunk, in the
// wrong order). Fix: split dp first (convert on dp before tp is sharded), or redistribute.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

using RS = tensor<F2, Mesh, layout<R, S<0>>>;

void step(threads::rank& r, RS const& x) {
  auto y = convert<"dp", R, S<0>>(r, x);
  (void)y;
}

int main() {}
