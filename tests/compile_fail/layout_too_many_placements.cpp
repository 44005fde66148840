// expect: spmd: a positional layout<\.\.\.> needs exactly one placement per mesh axis
// Mistake: a positional layout gives three placements on a two-axis mesh.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = tensor<F2, Mesh, layout<R, S<0>, R>>;

void f() {
  X x;
  (void)x;
}
