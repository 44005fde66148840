// expect: spmd: all_reduce produces R or I
// Mistake: all_reduce asked for a shard.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_reduce<"tp", S<0>>(r, T<P>{});
  (void)y;
}

int main() {}
