// expect: spmd: reinterpret<axis, I, R> needs spmd::expert
// Mistake: reinterpret(I, R) without expert.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = reinterpret<"tp", I, R>(T<I>{});
  (void)y;
}

int main() {}
