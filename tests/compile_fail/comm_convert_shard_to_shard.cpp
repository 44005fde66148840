// expect: spmd: convert\(S<a>, S<b>\) moves data between ranks: call all_to_all
// Mistake: convert between two shard dims.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = convert<"tp", S<0>, S<1>>(r, T<S<0>>{});
  (void)y;
}

int main() {}
