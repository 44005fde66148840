// expect: spmd: a P \(pending sum\) tensor is used where another layout is expected
// The README's example: the row-parallel output (P@tp) is returned without its all-reduce.
#include <spmd/dense.hpp>
using namespace spmd;

using Mesh = mesh<"dp", "tp">;
using Mat = local::dense<float, 2>;
using Act = tensor<Mat, Mesh, layout<V, R>>;
using W1 = tensor<Mat, Mesh, layout<R, S<1>>>;
using W2 = tensor<Mat, Mesh, layout<R, S<0>>>;

Act mlp(Act const& x, W1 const& w1, W2 const& w2) {
  auto h = gelu(matmul(x, w1));
  auto y = matmul(h, w2, out_partial<"tp">);
  return y;
}

int main() {}
