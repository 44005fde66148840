// expect: spmd: global: this op merges or cuts a sharded dim
// Mistake: Concatenates along the sharded batch dim: locally a plain V, globally meaningless.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<"dp">, on<>, at<"tp", R>>> const& a) {
  auto c = concat<0>(a, a);
  (void)c;
}
