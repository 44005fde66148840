// expect: spmd: einsum<spec>: the spec names a different number of operands than the call passes
// Mistake: a two-operand spec called with one tensor.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a) {
  auto c = einsum<"ij,jk->ik">(a);
  (void)c;
}
