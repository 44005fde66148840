// expect: spmd: I \(invariant\) meets another type on this mesh axis
// Mistake: adds an invariant tensor to a replicated one.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using It = tensor<F2, Mesh, layout<R, I>>;
using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(It const& a, Rt const& b) {
  auto c = a + b;
  (void)c;
}
