// expect: spmd: the layout gives no placement for this mesh axis
// Mistake: a named layout leaves out the mesh axis "dp".
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;

using X = tensor<F2, Mesh, layout<at<"tp", S<0>>>>;

void f() {
  X x;
  (void)x;
}
