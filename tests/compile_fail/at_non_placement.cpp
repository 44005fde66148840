// expect: spmd: at<axis, X>: X must be a placement
// Mistake: a named layout entry at<"tp", int>: int is not a placement.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;

void f() {
  at<"tp", int> e;
  (void)e;
}
