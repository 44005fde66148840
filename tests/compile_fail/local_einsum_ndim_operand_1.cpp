// expect: spmd: einsum spec: the number of labels of operand 1 differs from its number of dims
// Mistake: the local einsum kernel: three labels for a 2-dim second operand.
#include <spmd/dense.hpp>

using namespace spmd;

void f(local::dense<float, 2> const& x) {
  auto y = local::einsum(local::einsum_spec<"ij,jkl->ikl">{}, x, x);
  (void)y;
}
