// expect: spmd: a collective over several mesh axes needs the same placement on each of them
// Mistake: all_gather over dp,tp where the tensor is V on dp and S<0> on tp.
#include <spmd/comm.hpp>
#include <spmd/runtime/threads.hpp>
#include "prelude.hpp"

using VS0 = tensor<F2, Mesh, layout<V, S<0>>>;

void step([[maybe_unused]] threads::rank& r) {
  auto y = all_gather<"dp,tp", R>(r, VS0{});
  (void)y;
}

int main() {}
