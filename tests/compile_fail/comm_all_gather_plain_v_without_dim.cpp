// expect: spmd: all_gather of a plain V needs the dim
// Mistake: all_gather of a V without the dim to concatenate along.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_gather<"tp", R>(r, T<V>{});
  (void)y;
}

int main() {}
