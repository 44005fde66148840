// expect: spmd: at<axis, X>: X must be a placement
// Mistake: a named layout entry at<"tp", int>: int is not a placement.
#include <spmd/spmd.hpp>

using namespace spmd;

void f() {
  at<"tp", int> e;
  (void)e;
}
