// expect: spmd: einsum<spec>: an operand of the spec has no labels
// Mistake: an einsum spec whose second operand has no labels.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a, Rt const& b) {
  auto c = einsum<"ij,->ij">(a, b);
  (void)c;
}
