// expect: spmd: P \+ scalar on this mesh axis
// Mistake: adds a pending sum to a number.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp

void f(Pt const& a) {
  auto c = 1.0f + a;
  (void)c;
}
