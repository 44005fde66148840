// expect: spmd: a positional layout<\.\.\.> needs exactly one placement per mesh axis
// Mistake: an empty layout on a two-axis mesh.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = tensor<F2, Mesh, layout<>>;

void f() {
  X x;
  (void)x;
}
