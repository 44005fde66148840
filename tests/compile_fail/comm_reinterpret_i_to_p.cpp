// expect: spmd: reinterpret<axis, I, P> is not provided
// Mistake: reinterpret of an invariant value as P.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = reinterpret<"tp", I, P>(T<I>{}, expert);
  (void)y;
}

int main() {}
