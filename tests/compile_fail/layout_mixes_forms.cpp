// expect: spmd: a layout mixes positional placements and at<axis, placement> entries
// Mistake: a layout mixes a positional placement with a named entry.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = tensor<F2, Mesh, layout<R, at<"tp", S<0>>>>;

void f() {
  X x;
  (void)x;
}
