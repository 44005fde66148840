// expect: spmd: a matmul/einsum contracts a dim that is sharded on this mesh axis in both operands
// Mistake: an einsum over a label sharded in both operands without out_partial.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"tp">;
using F3 = local::dense<float, 3>;
using F2 = local::dense<float, 2>;

auto f(tensor<F3, Mesh, layout<S<2>>> const& x, tensor<F2, Mesh, layout<S<0>>> const& w) {
  return einsum<"bsh,hf->bsf">(x, w);
}
