// expect: spmd: reinterpret does not take S<d>
// Mistake: reinterpret of a shard.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = reinterpret<"tp", S<0>, P>(T<S<0>>{});
  (void)y;
}

int main() {}
