// expect: spmd: the layout names an axis that is not in the mesh
// Mistake: a named layout misspells the axis "tp" as "pt".
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = tensor<F2, Mesh, layout<at<"dp", R>, at<"pt", S<0>>>>;

void f() {
  X x;
  (void)x;
}
