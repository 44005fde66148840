// expect: spmd: einsum spec: the number of labels of operand 0 differs from its number of dims
// Mistake: the local einsum kernel: three labels for a 2-dim first operand.
#include <spmd/dense.hpp>

using namespace spmd;

void f(local::dense<float, 2> const& x) {
  auto y = local::einsum(local::einsum_spec<"bij,jk->bik">{}, x, x);
  (void)y;
}
