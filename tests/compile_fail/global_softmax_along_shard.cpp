// expect: spmd: .*softmax
// Mistake: Softmax along the vocab dim, which is sharded on tp: each rank would normalise its own block.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<"dp">, on<"tp">>> const& logits) {
  auto p = softmax<1>(logits);
  (void)p;
}
