// expect: spmd: einsum<spec>: more than 16 labels in one operand
// Mistake: an einsum operand with 17 labels (the limit is 16), for a rank-17 tensor.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F17 = local::dense<float, 17>;
using X = tensor<F17, Mesh, layout<R, R>>;

void f(X const& a) {
  auto c = einsum<"abcdefghijklmnopq->a">(a);
  (void)c;
}
