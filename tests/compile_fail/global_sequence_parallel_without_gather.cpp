// expect: spmd: .*all_gather|spmd: .*all-gather
// Mistake: Sequence parallelism without the all-gather: the activation is sharded on tp along the sequence, the weight along its output dim; the product would be sharded on tp twice.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<"tp">, on<>, at<"dp", R>>> const& x, G2<spec<on<>, on<"tp">, at<"dp", R>>> const& w) {
  auto y = matmul(x, w);
  (void)y;
}
