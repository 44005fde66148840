// expect: spmd: a layout has S<d> with d >= the local tensor's number of dims
// Mistake: S<2> on a 2-dim tensor (dims are 0 and 1).
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = tensor<F2, Mesh, layout<R, S<2>>>;

void f() {
  X x;
  (void)x;
}
