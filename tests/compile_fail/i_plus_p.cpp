// expect: spmd: P \+ R on this mesh axis: a linear op mixes a pending sum with a whole \(R or I\) term
// Mistake: adds an invariant tensor to a pending sum. The pending sum is reported (not the I):
// converting the I to R would only lead to P + R. Fix: all_reduce<"tp", I>(r, b) + a.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using It = tensor<F2, Mesh, layout<R, I>>;
using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp

void f(It const& a, Pt const& b) {
  auto c = a + b;
  (void)c;
}
