// expect: spmd: P \* P on this mesh axis
// Mistake: multiplies two pending sums elementwise.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp

void f(Pt const& a, Pt const& b) {
  auto c = a * b;
  (void)c;
}
