// expect: spmd: P \* P on this mesh axis
// Mistake: matmul of two pending sums.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp

void f(Pt const& a, Pt const& b) {
  auto c = matmul(a, b);
  (void)c;
}
