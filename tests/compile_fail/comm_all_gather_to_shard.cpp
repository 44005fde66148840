// expect: spmd: all_gather produces R or I
// Mistake: all_gather asked for a shard.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_gather<"tp", S<1>>(r, T<S<0>>{});
  (void)y;
}

int main() {}
