// expect: spmd: a layout holds something that is neither a placement
// Mistake: a layout holds int, which is not a placement.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = tensor<F2, Mesh, layout<int, R>>;

void f() {
  X x;
  (void)x;
}
