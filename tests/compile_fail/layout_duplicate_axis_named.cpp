// expect: spmd: the layout names this mesh axis twice
// Mistake: a named layout gives the axis "tp" two placements.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = tensor<F2, Mesh, layout<at<"dp", R>, at<"tp", S<0>>, at<"tp", R>>>;

void f() {
  X x;
  (void)x;
}
