// expect: spmd: a positional layout<\.\.\.> needs exactly one placement per mesh axis
// Mistake: a positional layout gives one placement on a two-axis mesh.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = tensor<F2, Mesh, layout<S<0>>>;

void f() {
  X x;
  (void)x;
}
