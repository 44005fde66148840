// expect: spmd: .*out_partial
// Mistake: A sum over the sharded batch dim without out_partial: the local sums are pieces of one sum.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<"dp">, on<>, at<"tp", I>>> const& x) {
  auto s = sum<0>(x);
  (void)s;
}
