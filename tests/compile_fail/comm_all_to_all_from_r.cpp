// expect: spmd: all_to_all moves a shard from one dim to another
// Mistake: all_to_all of a replicated value.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_to_all<"tp", S<1>>(r, T<R>{});
  (void)y;
}

int main() {}
