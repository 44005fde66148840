// expect: spmd: a collective names an axis that is not in the mesh \(or names one twice\)
// Mistake: all_gather over the same axis twice.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_gather<"tp,tp", R>(r, T<S<0>>{});
  (void)y;
}

int main() {}
