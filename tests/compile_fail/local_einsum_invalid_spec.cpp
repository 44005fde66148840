// expect: spmd: einsum spec is invalid
// Mistake: calls the local einsum kernel with a spec that has no "->".
#include <spmd/dense.hpp>

using namespace spmd;

void f(local::dense<float, 2> const& x) {
  auto y = local::einsum(local::einsum_spec<"ij">{}, x);
  (void)y;
}
