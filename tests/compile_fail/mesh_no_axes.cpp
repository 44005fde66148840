// expect: spmd: a mesh needs at least one axis
// Mistake: a mesh without axes.
#include <spmd/spmd.hpp>

using namespace spmd;
using F2 = local::dense<float, 2>;

using X = tensor<F2, mesh<>, layout<>>;

void f() {
  X x;
  (void)x;
}
