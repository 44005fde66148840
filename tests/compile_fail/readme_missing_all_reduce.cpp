// expect: spmd: a P \(pending sum\) tensor is used where another layout is expected
// The README's example (shown there verbatim): the row-parallel output (P@tp) is returned without its all-reduce.
// clang-format off
#include <spmd/dense.hpp>
using namespace spmd;

using Mesh = mesh<"dp", "tp">;                            // axis names in the type, sizes at run time
using Mat  = local::dense<float, 2>;                      // the per-rank tensor (Eigen kernels)
using Act  = tensor<Mat, Mesh, layout<V, R>>;             // dp: per-rank batch, tp: replicated
using W1   = tensor<Mat, Mesh, layout<R, S<1>>>;          // column-parallel weight
using W2   = tensor<Mat, Mesh, layout<R, S<0>>>;          // row-parallel weight

Act mlp(Act const& x, W1 const& w1, W2 const& w2) {
  auto h = gelu(matmul(x, w1));                           // R x S(1) -> S(1)@tp
  auto y = matmul(h, w2, out_partial<"tp">);              // S(1) x S(0): split dim contracted -> P@tp
  return y;                                               // the all-reduce over tp is missing
}
// clang-format on

int main() {}
