// expect: spmd: the layout gives no placement for this mesh axis
// Mistake: a named layout leaves out the mesh axis "dp".
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = tensor<F2, Mesh, layout<at<"tp", S<0>>>>;

void f() {
  X x;
  (void)x;
}
