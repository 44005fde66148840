// expect: spmd: the layout needs exactly one placement per mesh axis
// Mistake: basic_tensor (the class behind the tensor alias) given one placement on a two-axis mesh.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;

using X = basic_tensor<F2, Mesh, layout<R>>;

void f() {
  X x;
  (void)x;
}
