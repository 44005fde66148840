// expect: spmd: S<d> needs a tensor dim d >= 0
// Mistake: S<-1>: a negative dim.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = tensor<F2, Mesh, layout<R, S<-1>>>;

void f() {
  X x;
  (void)x;
}
