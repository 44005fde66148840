// expect: spmd: einsum<spec>: an operand's number of dims differs from the number of its labels
// Mistake: a 2-dim tensor given three labels.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a, Rt const& b) {
  auto c = einsum<"bij,jk->bik">(a, b);
  (void)c;
}
