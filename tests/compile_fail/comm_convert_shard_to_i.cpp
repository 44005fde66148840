// expect: spmd: convert cannot make a varying value whole without communication
// Mistake: convert of a shard to I.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = convert<"tp", S<0>, I>(r, T<S<0>>{});
  (void)y;
}

int main() {}
