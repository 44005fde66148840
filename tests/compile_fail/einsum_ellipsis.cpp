// expect: spmd: einsum<spec>: labels must be letters a-z or A-Z
// Mistake: an ellipsis in an einsum spec.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a, Rt const& b) {
  auto c = einsum<"...j,jk->...k">(a, b);
  (void)c;
}
