// expect: spmd: reinterpret cannot declare varying values equal
// Mistake: reinterpret of varying values as R.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = reinterpret<"tp", V, R>(T<V>{});
  (void)y;
}

int main() {}
