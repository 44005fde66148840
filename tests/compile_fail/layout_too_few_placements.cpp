// expect: spmd: a positional layout<\.\.\.> needs exactly one placement per mesh axis
// Mistake: a positional layout gives one placement on a two-axis mesh.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;

using X = tensor<F2, Mesh, layout<S<0>>>;

void f() {
  X x;
  (void)x;
}
