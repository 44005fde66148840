// expect: spmd: einsum spec has one input but two operands were given
// Mistake: calls the local einsum kernel with a one-input spec and two tensors.
#include <spmd/dense.hpp>

using namespace spmd;

void f(local::dense<float, 2> const& x) {
  auto y = local::einsum(local::einsum_spec<"ij->i">{}, x, x);
  (void)y;
}
