// expect: spmd: convert out of P is never allowed
// Mistake: convert of a pending sum, even in expert mode.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = convert<"tp", P, I>(r, T<P>{}, expert);
  (void)y;
}

int main() {}
