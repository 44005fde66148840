// expect: spmd: all_gather<axis, Dst, d>: the operand is S<e> with e != d
// Mistake: all_gather names another dim than the shard's.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_gather<"tp", R, 1>(r, T<S<0>>{});
  (void)y;
}

int main() {}
