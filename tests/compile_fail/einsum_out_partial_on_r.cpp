// expect: spmd: out_partial names a mesh axis on which the result is R
// Mistake: out_partial<"tp"> on an einsum of replicated operands.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& x, Rt const& w) {
  auto y = einsum<"ij,jk->ik">(x, w, out_partial<"tp">);
  (void)y;
}
