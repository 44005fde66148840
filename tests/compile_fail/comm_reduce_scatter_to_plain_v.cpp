// expect: spmd: reduce_scatter produces a shard: name the dim
// Mistake: reduce_scatter asked for a plain V.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = reduce_scatter<"tp", V>(r, T<P>{});
  (void)y;
}

int main() {}
