// expect: spmd: einsum<spec>: the spec names a different number of operands than the call passes
// Mistake: a one-operand spec called with two tensors.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a, Rt const& b) {
  auto c = einsum<"ij->ji">(a, b);
  (void)c;
}
