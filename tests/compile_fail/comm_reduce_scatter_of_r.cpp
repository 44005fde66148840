// expect: spmd: reduce_scatter needs a P \(pending sum\) operand
// Mistake: reduce_scatter of a replicated value.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = reduce_scatter<"tp", 0>(r, T<R>{});
  (void)y;
}

int main() {}
