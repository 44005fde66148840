// expect: spmd: the output tensor of a collective '_into' call must have the result's type
// Mistake: reduce_scatter_into an output of another element type.
#include <spmd/comm.hpp>
#include "comm_prelude.hpp"

void step(threads::rank& r, T<P> const& x, tensor<local::dense<double, 2>, Mesh, layout<R, S<0>>>& out) {
  reduce_scatter_into<"tp">(r, x, out);
}

int main() {}
