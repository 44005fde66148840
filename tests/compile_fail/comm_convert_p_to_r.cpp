// expect: spmd: convert out of P is never allowed
// Mistake: convert of a pending sum.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = convert<"tp", P, R>(r, T<P>{});
  (void)y;
}

int main() {}
