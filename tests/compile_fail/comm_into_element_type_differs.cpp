// expect: spmd: the output tensor of a collective '_into' call must have the result's type
// Mistake: reduce_scatter_into an output of another element type.
#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
template <class P>
using T = tensor<local::dense<float, 2>, Mesh, layout<at<"tp", P>, at<"dp", R>>>;
template <class Pdp, class Ptp>
using T2 = tensor<local::dense<float, 2>, Mesh, layout<Pdp, Ptp>>;

void step(threads::rank& r, T<P> const& x, tensor<local::dense<double, 2>, Mesh, layout<R, S<0>>>& out) {
  reduce_scatter_into<"tp">(r, x, out);
}

int main() {}
