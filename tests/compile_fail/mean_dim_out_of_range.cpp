// expect: spmd: mean<Dim>: Dim must be a dim of the tensor
// Mistake: mean<2> on a 2-dim tensor.
#include <spmd/dense.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a) {
  auto c = mean<2>(a);
  (void)c;
}
