// expect: spmd: all_gather needs a V or S<d> operand
// Mistake: all_gather of a replicated value.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_gather<"tp", R, 0>(r, T<R>{});
  (void)y;
}

int main() {}
