// expect: spmd: all_gather of a P \(pending sum\) would gather unsummed pieces
// Mistake: all_gather of a pending sum.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_gather<"tp", R, 0>(r, T<P>{});
  (void)y;
}

int main() {}
