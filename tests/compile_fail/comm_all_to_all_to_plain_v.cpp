// expect: spmd: all_to_all moves a shard from one dim to another
// Mistake: all_to_all to a plain V.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_to_all<"tp", V>(r, T<S<0>>{});
  (void)y;
}

int main() {}
