// expect: spmd: convert<axis, S<d>, P> needs spmd::expert
// Mistake: convert(S<d>, P) without expert.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = convert<"tp", S<0>, P>(r, T<S<0>>{});
  (void)y;
}

int main() {}
