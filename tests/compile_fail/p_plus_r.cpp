// expect: spmd: P \+ R on this mesh axis
// Mistake: adds a replicated tensor to a pending sum (the R term would be summed once per rank).
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp
using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Pt const& a, Rt const& b) {
  auto c = a + b;
  (void)c;
}
