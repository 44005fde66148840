// expect: spmd: reinterpret<axis, R, V> needs spmd::expert
// Mistake: reinterpret(R, V) without expert.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = reinterpret<"tp", R, V>(T<R>{});
  (void)y;
}

int main() {}
