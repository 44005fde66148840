// expect: spmd: all_gather of a P \(pending sum\) would gather unsummed pieces
// Mistake: all_gather_into of a pending sum (reduce it: all_reduce).
#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
template <class P>
using T = tensor<local::dense<float, 2>, Mesh, layout<at<"tp", P>, at<"dp", R>>>;
template <class Pdp, class Ptp>
using T2 = tensor<local::dense<float, 2>, Mesh, layout<Pdp, Ptp>>;

void step(threads::rank& r, T<P> const& x, T<R>& out) { all_gather_into<"tp">(r, x, out); }

int main() {}
