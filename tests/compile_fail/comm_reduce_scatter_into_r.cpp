// expect: spmd: reduce_scatter produces a shard
// Mistake: reduce_scatter_into an output that is R on the axis (that is all_reduce).
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step(threads::rank& r, T<P> const& x, T<R>& out) {
  reduce_scatter_into<"tp">(r, x, out);
}

int main() {}
