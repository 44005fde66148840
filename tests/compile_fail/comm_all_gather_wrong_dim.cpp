// expect: spmd: all_gather<axis, Dst, d>: the operand is S<e> with e != d
// Mistake: all_gather names another dim than the shard's.
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
  auto y = all_gather<"tp", R, 1>(r, T<S<0>>{});
  (void)y;
}

int main() {}
