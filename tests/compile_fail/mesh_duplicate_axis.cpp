// expect: spmd: a mesh names an axis twice
// Mistake: a mesh with two axes called "dp".
#include <spmd/spmd.hpp>

using namespace spmd;
using F2 = local::dense<float, 2>;

using X = tensor<F2, mesh<"dp", "dp">, layout<R, R>>;

void f() {
  X x;
  (void)x;
}
