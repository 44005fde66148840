// expect: spmd: the declared source placement differs from the operand's placement
// Mistake: all_reduce declares V but the operand is P.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_reduce<"tp", V, R>(r, T<P>{});
  (void)y;
}

int main() {}
