// expect: spmd: a layout mixes positional placements and at<axis, placement> entries
// Mistake: a layout mixes a positional placement with a named entry.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;

using X = tensor<F2, Mesh, layout<R, at<"tp", S<0>>>>;

void f() {
  X x;
  (void)x;
}
