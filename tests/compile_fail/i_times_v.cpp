// expect: spmd: I \(invariant\) meets another type on this mesh axis
// Mistake: multiplies an invariant tensor by a varying one.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using It = tensor<F2, Mesh, layout<R, I>>;
using Vt = tensor<F2, Mesh, layout<R, V>>;

void f(It const& a, Vt const& b) {
  auto c = a * b;
  (void)c;
}
