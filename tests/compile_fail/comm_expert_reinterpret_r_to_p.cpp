// expect: spmd: reinterpret<axis, R, P> needs spmd::expert
// Mistake: reinterpret(R, P) without expert.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = reinterpret<"tp", R, P>(T<R>{});
  (void)y;
}

int main() {}
