// expect: spmd: einsum spec has two inputs but one operand was given
// Mistake: calls the local einsum kernel with a two-input spec and one tensor.
#include <spmd/dense.hpp>

using namespace spmd;

void f(local::dense<float, 2> const& x) {
  auto y = local::einsum(local::einsum_spec<"ij,jk->ik">{}, x);
  (void)y;
}
