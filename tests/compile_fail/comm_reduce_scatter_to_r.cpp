// expect: spmd: reduce_scatter produces a shard
// Mistake: reduce_scatter asked for R.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = reduce_scatter<"tp", R>(r, T<P>{});
  (void)y;
}

int main() {}
