// expect: spmd: x / P on this mesh axis
// Mistake: divides a pending sum by a pending sum.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp

void f(Pt const& a, Pt const& b) {
  auto c = a / b;
  (void)c;
}
