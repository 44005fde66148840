// expect: spmd: convert cannot make a varying value whole without communication
// Mistake: convert of varying values to R.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = convert<"tp", V, R>(r, T<V>{});
  (void)y;
}

int main() {}
