// expect: spmd: a collective over several mesh axes needs the same placement on each of them
// Mistake: all_gather over dp,tp where the tensor is V on dp and S<0> on tp.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_gather<"dp,tp", R>(r, T2<V, S<0>>{});
  (void)y;
}

int main() {}
