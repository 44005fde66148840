// expect: spmd: global: two operands shard this dim of the result on different mesh axes
// Mistake: Adds x[8@dp, 16]{tp:R} to y[8@tp, 16]{dp:R}: locally fine (S<0> + R on each axis), globally rows of different blocks.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<"dp">, on<>, at<"tp", R>>> const& a, G2<spec<on<"tp">, on<>, at<"dp", R>>> const& b) {
  G2<spec<on<"dp">, on<>, at<"tp", R>>> c = a * b;
  (void)c;
}
