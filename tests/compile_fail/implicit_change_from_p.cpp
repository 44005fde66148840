// expect: spmd: a P \(pending sum\) tensor is used where another layout is expected
// Mistake: returns a pending sum (P on tp) where an R tensor is expected, without reducing it.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp
using Rt = tensor<F2, Mesh, layout<R, R>>;

Rt g(Pt const& a) {
  return a;
}
