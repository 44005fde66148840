// expect: spmd: mesh axis names must not be empty
// Mistake: a mesh axis with an empty name.
#include <spmd/spmd.hpp>

using namespace spmd;
using F2 = local::dense<float, 2>;

using X = tensor<F2, mesh<"dp", "">, layout<R, R>>;

void f() {
  X x;
  (void)x;
}
