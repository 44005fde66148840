// expect: spmd: a non-linear op received P
// Mistake: softmax of a pending sum on a variable; the differentiable op has the typed op's rule.
#include <spmd/autograd.hpp>
#include <spmd/spmd.hpp>

using namespace spmd;
using Pt = tensor<local::dense<double, 2>, mesh<"tp">, layout<P>>;

int main() {
  autograd::var<Pt> x{Pt{local::dense<double, 2>({2, 2}, 1.0)}};
  auto y = autograd::softmax<1>(x);
  (void)y;
}
