// expect: spmd: I \(invariant\) meets another type on this mesh axis
// Mistake: concatenates an invariant tensor with a varying one.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using It = tensor<F2, Mesh, layout<R, I>>;
using Vt = tensor<F2, Mesh, layout<R, V>>;

void f(It const& a, Vt const& b) {
  auto c = concat<1>(a, b);
  (void)c;
}
