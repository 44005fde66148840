// expect: spmd: convert<axis, I, P> needs spmd::expert
// Mistake: convert(I, P) without expert.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = convert<"tp", I, P>(r, T<I>{});
  (void)y;
}

int main() {}
