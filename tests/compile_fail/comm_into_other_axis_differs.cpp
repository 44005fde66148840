// expect: spmd: the output tensor of a collective '_into' call must have the result's type
// Mistake: all_gather_into an output whose placement on another mesh axis (dp) differs.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

using PR = tensor<F2, Mesh, layout<P, R>>;  // P on dp: not the R of T<.> there

void step(threads::rank& r, T<S<0>> const& x, PR& out) {
  all_gather_into<"tp">(r, x, out);
}

int main() {}
