// expect: spmd: reinterpret out of P is never allowed
// Mistake: reinterpret of a pending sum.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = reinterpret<"tp", P, R>(T<P>{}, expert);
  (void)y;
}

int main() {}
