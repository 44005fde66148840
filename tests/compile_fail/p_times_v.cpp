// expect: spmd: P \(a pending sum\) meets V \(varying\) on this mesh axis
// Mistake: multiplies a pending sum by a varying tensor.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp
using Vt = tensor<F2, Mesh, layout<R, V>>;

void f(Pt const& a, Vt const& b) {
  auto c = a * b;
  (void)c;
}
