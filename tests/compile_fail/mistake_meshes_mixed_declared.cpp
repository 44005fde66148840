// expect: spmd: the operands live on different meshes.*on_axis<'c', 'p'>
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (with declared types): adds activations of a dp x tp mesh to a tensor of a dp x cp mesh.
// Fix: one mesh type for the whole program.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

using Other = basic_tensor<local::dense<T, 2>, mesh<"dp", "cp">, layout<V, I>>;
var<Act> f(var<Act> const& x, var<Other> const& y) {
  var<Act> const z = x + y;
  return autograd::gelu(z);
}
