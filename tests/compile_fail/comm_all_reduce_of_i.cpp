// expect: spmd: all_reduce needs a P \(pending sum\) operand
// Mistake: all_reduce of an invariant value.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_reduce<"tp", I>(r, T<I>{});
  (void)y;
}

int main() {}
