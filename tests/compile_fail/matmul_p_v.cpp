// expect: spmd: P \(a pending sum\) meets V \(varying\) on this mesh axis
// Mistake: matmul of a pending sum by a varying (column-sharded) weight.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp
using Wt = tensor<F2, Mesh, layout<R, S<1>>>;

void f(Pt const& x, Wt const& w) {
  auto y = matmul(x, w);
  (void)y;
}
