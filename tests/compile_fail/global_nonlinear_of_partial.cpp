// expect: spmd: .*non-linear
// Mistake: GELU of a pending sum: gelu(a + b) is not gelu(a) + gelu(b).
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<"dp">, on<>, at<"tp", P>>> const& y) {
  auto z = gelu(y);
  (void)z;
}
