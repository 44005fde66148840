// expect: spmd: tensor<Local, Mesh, Layout>: Layout must be a layout<\.\.\.>
// Mistake: basic_tensor (the class behind the tensor alias) given a named layout, which only the alias resolves.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;

using X = basic_tensor<F2, Mesh, layout<at<"dp", R>, at<"tp", S<0>>>>;

void f() {
  X x;
  (void)x;
}
