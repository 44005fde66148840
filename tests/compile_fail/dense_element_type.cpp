// expect: spmd: dense<T, Ndim> requires T = float or double
// Mistake: a dense tensor of int.
#include <spmd/spmd.hpp>

using namespace spmd;

void f() {
  local::dense<int, 2> x;
  (void)x;
}
