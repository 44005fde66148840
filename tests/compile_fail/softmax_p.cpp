// expect: spmd: a non-linear op received P \(a pending sum\) on this mesh axis
// Mistake: applies softmax to a pending sum.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp

void f(Pt const& a) {
  auto c = softmax<1>(a);
  (void)c;
}
