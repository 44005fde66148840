// expect: spmd: P \+ scalar on this mesh axis
// Mistake: subtracts a number from a pending sum.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp

void f(Pt const& a) {
  auto c = a - 1.0f;
  (void)c;
}
