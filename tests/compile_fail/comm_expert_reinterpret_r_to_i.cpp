// expect: spmd: reinterpret<axis, R, I> needs spmd::expert
// Mistake: reinterpret(R, I) without expert.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = reinterpret<"tp", R, I>(T<R>{});
  (void)y;
}

int main() {}
