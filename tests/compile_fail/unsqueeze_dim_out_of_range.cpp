// expect: spmd: unsqueeze<Dim>: Dim must be at most the tensor's number of dims
// Mistake: unsqueeze<3> on a 2-dim tensor (at most 2).
#include <spmd/dense.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a) {
  auto c = unsqueeze<3>(a);
  (void)c;
}
