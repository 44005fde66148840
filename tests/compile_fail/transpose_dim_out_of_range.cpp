// expect: spmd: transpose<A, B>: A and B must be dims of the tensor
// Mistake: transpose<0, 2> on a 2-dim tensor.
#include <spmd/dense.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a) {
  auto c = transpose<0, 2>(a);
  (void)c;
}
