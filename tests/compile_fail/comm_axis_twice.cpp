// expect: spmd: a collective names an axis that is not in the mesh \(or names one twice\)
// Mistake: all_gather over the same axis twice.
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
  auto y = all_gather<"tp,tp", R>(r, T<S<0>>{});
  (void)y;
}

int main() {}
