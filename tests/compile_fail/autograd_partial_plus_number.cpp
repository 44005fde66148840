// expect: spmd: P \+ scalar on this mesh axis
// Mistake: adding a number to a pending sum on a variable; the differentiable op has the typed
// op's rule (the number would be summed once per rank).
#include <spmd/autograd.hpp>
#include <spmd/spmd.hpp>

using namespace spmd;
using Pt = tensor<local::dense<double, 2>, mesh<"tp">, layout<P>>;

int main() {
  autograd::var<Pt> x{Pt{local::dense<double, 2>({2, 2}, 1.0)}};
  auto y = x + 1.0;
  (void)y;
}
