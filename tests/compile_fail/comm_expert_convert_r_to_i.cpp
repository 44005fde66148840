// expect: spmd: convert<axis, R, I> needs spmd::expert
// Mistake: convert(R, I) without expert.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = convert<"tp", R, I>(r, T<R>{});
  (void)y;
}

int main() {}
