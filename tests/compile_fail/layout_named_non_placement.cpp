// expect: spmd: (at<axis, X>: X must be a placement|tensor<Local, Mesh, Layout>: Layout must be a layout)
// Mistake: a named entry holds int, which is not a placement.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = tensor<F2, Mesh, layout<at<"dp", R>, at<"tp", int>>>;

void f() {
  X x;
  (void)x;
}
