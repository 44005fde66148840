// expect: spmd: sum needs at least 1 dim
// Mistake: calls the local sum kernel on a 0-dim (scalar) tensor.
#include <spmd/dense.hpp>

using namespace spmd;

void f(local::dense<float, 0> const& x) {
  auto y = local::sum(x, 0);
  (void)y;
}
