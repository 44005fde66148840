// expect: spmd: out_partial names a mesh axis on which the result is I
// Mistake: out_partial<"tp"> on a matmul of invariant operands.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using It = tensor<F2, Mesh, layout<R, I>>;

void f(It const& x, It const& w) {
  auto y = matmul(x, w, out_partial<"tp">);
  (void)y;
}
