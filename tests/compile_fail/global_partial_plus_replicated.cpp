// expect: spmd: P \+ R on this mesh axis|spmd: .*pending sum
// Mistake: Adds a bias (R on tp) to the row-parallel output before its reduction: the bias would be added tp times.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<"dp">, on<>, at<"tp", P>>> const& y, G2<spec<on<>, on<>, at<"dp", R>, at<"tp", R>>> const& b) {
  auto z = y + b;
  (void)z;
}
