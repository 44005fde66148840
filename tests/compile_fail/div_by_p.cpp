// expect: spmd: x / P on this mesh axis
// Mistake: divides by a pending sum.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp
using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a, Pt const& b) {
  auto c = a / b;
  (void)c;
}
