// expect: spmd: out_partial names a mesh axis on which the result is R
// Mistake: out_partial<"tp"> on a matmul of replicated operands: nothing was sharded on tp.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& x, Rt const& w) {
  auto y = matmul(x, w, out_partial<"tp">);
  (void)y;
}
