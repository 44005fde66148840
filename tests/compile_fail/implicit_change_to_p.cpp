// expect: spmd: a tensor is used as P \(pending sum\) but is not one on this mesh axis
// Mistake: per-rank values (V on tp) are returned as a pending sum without saying so.
// Fix: reinterpret<"tp", V, P>(y), or out_partial on the matmul that made them.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Vt = tensor<F2, Mesh, layout<R, V>>;  // per-rank values on tp
using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp

Pt g(Vt const& y) {
  return y;
}
