// expect: spmd: convert<axis, R, I> needs spmd::expert
// Mistake: redistribute R to I without spmd::expert (it is almost never wanted in forward code).
#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
template <class Pdp, class Ptp>
using T = tensor<local::dense<float, 2>, Mesh, layout<Pdp, Ptp>>;

auto step(threads::rank& r, T<R, R> const& x) {
  return redistribute<layout<at<"tp", I>, at<"dp", R>>>(r, x);
}

int main() {}
