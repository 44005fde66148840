// expect: spmd: reinterpret cannot declare varying values equal
// Mistake: reinterpret of varying values as I.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = reinterpret<"tp", V, I>(T<V>{}, expert);
  (void)y;
}

int main() {}
