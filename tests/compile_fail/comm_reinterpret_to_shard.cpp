// expect: spmd: reinterpret does not take S<d>
// Mistake: reinterpret to a shard.
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
  auto y = reinterpret<"tp", R, S<0>>(T<R>{}, expert);
  (void)y;
}

int main() {}
