// expect: spmd: concat<Dim>: Dim must be a dim of the tensors
// Mistake: concat<2> of rank-2 tensors.
#include <spmd/dense.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;
using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a, Rt const& b) {
  auto c = concat<2>(a, b);
  (void)c;
}
