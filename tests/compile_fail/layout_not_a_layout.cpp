// expect: spmd: expected a layout<\.\.\.> as the tensor's layout
// Mistake: the third argument of tensor is a placement, not a layout<...>.
#include <spmd/spmd.hpp>

using namespace spmd;
using F2 = local::dense<float, 2>;

using X = tensor<F2, mesh<"tp">, S<0>>;

void f() {
  X x;
  (void)x;
}
