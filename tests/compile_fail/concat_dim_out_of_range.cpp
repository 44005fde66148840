// expect: spmd: concat<Dim>: Dim must be a dim of the tensors
// Mistake: concat<2> of 2-dim tensors.
#include <spmd/dense.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a, Rt const& b) {
  auto c = concat<2>(a, b);
  (void)c;
}
