// expect: spmd: global: an op mixes a global tensor with a local typed tensor
// Mistake: Adds a local typed tensor to a global one: the local one has no spec.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<"dp">, on<>, at<"tp", R>>> const& a, tensor<local::dense<float, 2>, M, layout<S<0>, R>> const& b) {
  auto c = a + b;
  (void)c;
}
