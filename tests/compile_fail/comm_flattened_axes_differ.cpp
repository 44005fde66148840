// expect: spmd: a collective over several mesh axes needs the same placement on each of them
// Mistake: all_gather over dp,tp where the tensor is V on dp and S<0> on tp.
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
  auto y = all_gather<"dp,tp", R>(r, T2<V, S<0>>{});
  (void)y;
}

int main() {}
