// expect: spmd: sum<Dim>: Dim must be a dim of the tensor
// Mistake: sum<2> on a 2-dim tensor.
#include <spmd/dense.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a) {
  auto c = sum<2>(a);
  (void)c;
}
