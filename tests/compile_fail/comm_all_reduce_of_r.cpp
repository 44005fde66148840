// expect: spmd: all_reduce needs a P \(pending sum\) operand
// Mistake: all_reduce of a replicated value.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_reduce<"tp", R>(r, T<R>{});
  (void)y;
}

int main() {}
