// expect: spmd: sum<Dim>: Dim must be a dim of the tensor
// Mistake: sum<-1>: negative dims are not counted from the end.
#include <spmd/dense.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a) {
  auto c = sum<-1>(a);
  (void)c;
}
