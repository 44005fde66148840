// expect: spmd: the local tensor types have no kernel for this op
// Mistake: adds a float tensor to a double tensor.
#include <spmd/dense.hpp>
#include "prelude.hpp"

using D2 = local::dense<double, 2>;
using Rt = tensor<F2, Mesh, layout<R, R>>;
using Dt = tensor<D2, Mesh, layout<R, R>>;

void f(Rt const& a, Dt const& b) {
  auto c = a + b;
  (void)c;
}
