// expect: spmd: the output tensor of a collective '_into' call must have the result's type
// Mistake: all_gather_into an output whose placement on another mesh axis (dp) differs.
#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
template <class P>
using T = tensor<local::dense<float, 2>, Mesh, layout<at<"tp", P>, at<"dp", R>>>;
template <class Pdp, class Ptp>
using T2 = tensor<local::dense<float, 2>, Mesh, layout<Pdp, Ptp>>;

void step(threads::rank& r, T<S<0>> const& x, T2<P, R>& out) { all_gather_into<"tp">(r, x, out); }

int main() {}
