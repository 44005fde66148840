// expect: spmd: a positional layout<\.\.\.> needs exactly one placement per mesh axis
// Mistake: a positional layout gives three placements on a two-axis mesh.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;

using X = tensor<F2, Mesh, layout<R, S<0>, R>>;

void f() {
  X x;
  (void)x;
}
