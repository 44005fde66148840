// expect: spmd: einsum<spec>: an output label repeats
// Mistake: the output label i appears twice.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a, Rt const& b) {
  auto c = einsum<"ij,jk->ii">(a, b);
  (void)c;
}
