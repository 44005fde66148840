// expect: spmd: global: this op merges or cuts a sharded dim
// Mistake: Narrows along the sharded dim: each rank would cut its own block at the same local offsets.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<>, on<"tp">, at<"dp", R>>> const& a) {
  auto c = narrow<1>(a, 0, 2);
  (void)c;
}
