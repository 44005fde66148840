// expect: spmd: a tensor is used with another layout than its own on this mesh axis
// Mistake: passes a tensor sharded on dim 0 where one sharded on dim 1 is expected.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using S0 = tensor<F2, Mesh, layout<R, S<0>>>;
using S1 = tensor<F2, Mesh, layout<R, S<1>>>;

void use(S1 const& x);
void f(S0 const& x) {
  use(x);
}
