// expect: spmd: unsqueeze<Dim>: Dim must be at most the rank of the tensor
// Mistake: unsqueeze<3> on a rank-2 tensor (at most 2).
#include <spmd/dense.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;
using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a) {
  auto c = unsqueeze<3>(a);
  (void)c;
}
