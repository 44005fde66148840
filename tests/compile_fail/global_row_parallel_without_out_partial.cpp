// expect: spmd: .*out_partial
// Mistake: The row-parallel matmul without out_partial: the contracted dim is sharded on tp in both operands, so each rank holds a partial sum.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

using H = G2<spec<on<"dp">, on<"tp">>>;
using W2 = G2<spec<on<"tp">, on<>, at<"dp", R>>>;
using Y = G2<spec<on<"dp">, on<>, at<"tp", P>>>;
Y f(H const& h, W2 const& w) {
  return matmul(h, w);
}
