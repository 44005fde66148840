// expect: spmd: I \(invariant\) meets another type on this mesh axis
// Mistake: matmul of an invariant activation by a replicated weight.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using It = tensor<F2, Mesh, layout<R, I>>;
using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(It const& x, Rt const& w) {
  auto y = matmul(x, w);
  (void)y;
}
