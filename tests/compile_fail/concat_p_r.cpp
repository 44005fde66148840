// expect: spmd: P \+ R on this mesh axis
// Mistake: concatenates a pending sum with a replicated tensor.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp
using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Pt const& a, Rt const& b) {
  auto c = concat<0>(a, b);
  (void)c;
}
