// expect: spmd: the layout needs exactly one placement per mesh axis
// Mistake: basic_tensor (the class behind the tensor alias) given one placement on a two-axis mesh.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = basic_tensor<F2, Mesh, layout<R>>;

void f() {
  X x;
  (void)x;
}
