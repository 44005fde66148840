// expect: spmd: a collective names an axis that is not in the mesh
// Mistake: all_reduce over an axis the mesh lacks.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_reduce<"pp", R>(r, T<P>{});
  (void)y;
}

int main() {}
