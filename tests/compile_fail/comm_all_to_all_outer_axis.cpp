// expect: spmd: a collective gathers or splits a dim over mesh axes that come before this mesh axis, which shards the same dim
// Mistake: all_to_all over dp from S<0> to S<1> while tp also shards dim 0: dim 0 is gathered
// over the outer axis only.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

using Both = tensor<F2, Mesh, layout<S<0>, S<0>>>;

void step(threads::rank& r, Both const& x) {
  auto y = all_to_all<"dp", S<1>>(r, x);
  (void)y;
}

int main() {}
