// expect: spmd: einsum<spec>: the spec names more than two operands
// Mistake: an einsum spec with three operands.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;
using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a, Rt const& b) {
  auto c = einsum<"ij,jk,kl->il">(a, b);
  (void)c;
}
