// expect: spmd: einsum<spec>: more than 16 labels in one operand
// Mistake: an einsum operand with 17 labels.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;
using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a) {
  auto c = einsum<"abcdefghijklmnopq->a">(a);
  (void)c;
}
