// expect: spmd: S<d> needs a tensor dim d >= 0
// Mistake: S<-1>: a negative dim.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;

using X = tensor<F2, Mesh, layout<R, S<-1>>>;

void f() {
  X x;
  (void)x;
}
