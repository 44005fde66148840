// expect: spmd: einsum<spec>: labels must be letters a-z or A-Z
// Mistake: a space in an einsum spec.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a, Rt const& b) {
  auto c = einsum<"ij, jk->ik">(a, b);
  (void)c;
}
