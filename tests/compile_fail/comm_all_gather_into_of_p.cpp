// expect: spmd: all_gather of a P \(pending sum\) would gather unsummed pieces
// Mistake: all_gather_into of a pending sum (reduce it: all_reduce).
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step(threads::rank& r, T<P> const& x, T<R>& out) {
  all_gather_into<"tp">(r, x, out);
}

int main() {}
