// expect: spmd: einsum<spec>: an output label appears in no operand
// Mistake: the output label l is in no operand.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a, Rt const& b) {
  auto c = einsum<"ij,jk->il">(a, b);
  (void)c;
}
