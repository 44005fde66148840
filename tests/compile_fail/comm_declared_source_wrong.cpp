// expect: spmd: the declared source placement differs from the operand's placement
// Mistake: all_reduce declares V but the operand is P.
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
  auto y = all_reduce<"tp", V, R>(r, T<P>{});
  (void)y;
}

int main() {}
