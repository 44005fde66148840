// expect: spmd: redistribute: a plain V on this mesh axis has no dim to gather along
// Mistake: redistribute a plain V (pieces with no recorded dim) to R.
#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
template <class Pdp, class Ptp>
using T = tensor<local::dense<float, 2>, Mesh, layout<Pdp, Ptp>>;

auto step(threads::rank& r, T<R, V> const& x) {
  return redistribute<layout<R, R>>(r, x);
}

int main() {}
