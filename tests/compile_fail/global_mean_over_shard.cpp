// expect: spmd: .*mean
// Mistake: The mean over the sharded batch dim: each rank divides by its own block length.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<"dp">, on<>, at<"tp", I>>> const& x) {
  auto m = mean<0>(x);
  (void)m;
}
