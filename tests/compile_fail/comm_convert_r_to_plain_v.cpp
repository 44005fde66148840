// expect: spmd: convert between a whole value and V splits or places it along a tensor dim
// Mistake: convert to V without a dim.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = convert<"tp", R, V>(r, T<R>{});
  (void)y;
}

int main() {}
