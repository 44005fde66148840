// expect: spmd: convert out of P is never allowed
// Mistake: convert of a pending sum, even in expert mode.
#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
template <class P>
using T = tensor<local::dense<float, 2>, Mesh, layout<at<"tp", P>, at<"dp", R>>>;
template <class Pdp, class Ptp>
using T2 = tensor<local::dense<float, 2>, Mesh, layout<Pdp, Ptp>>;

void step([[maybe_unused]] threads::rank& r) {
  auto y = convert<"tp", P, I>(r, T<P>{}, expert);
  (void)y;
}

int main() {}
