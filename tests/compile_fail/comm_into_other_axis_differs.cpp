// expect: spmd: the output tensor of a collective '_into' call must have the result's type
// Mistake: all_gather_into an output whose placement on another mesh axis (dp) differs.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step(threads::rank& r, T<S<0>> const& x, T2<P, R>& out) { all_gather_into<"tp">(r, x, out); }

int main() {}
