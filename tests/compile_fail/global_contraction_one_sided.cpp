// expect: spmd: .*(gather|shard both)
// Mistake: Contracts a dim sharded on tp in the weight only: the activation is whole on tp.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<"dp">, on<>, at<"tp", R>>> const& x, G2<spec<on<"tp">, on<>, at<"dp", R>>> const& w) {
  auto y = matmul(x, w, out_partial<"tp">);
  (void)y;
}
