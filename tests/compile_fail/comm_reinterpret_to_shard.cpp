// expect: spmd: reinterpret does not take S<d>
// Mistake: reinterpret to a shard.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = reinterpret<"tp", R, S<0>>(T<R>{}, expert);
  (void)y;
}

int main() {}
