// expect: spmd: matmul needs operands of 2 or more dims
// Mistake: matmul of a 1-dim tensor.
#include <spmd/dense.hpp>
#include "prelude.hpp"

using F1 = local::dense<float, 1>;
using Rt = tensor<F2, Mesh, layout<R, R>>;
using Vec = tensor<F1, Mesh, layout<R, R>>;

void f(Vec const& v, Rt const& w) {
  auto y = matmul(v, w);
  (void)y;
}
