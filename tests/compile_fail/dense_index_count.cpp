// expect: spmd: dense::operator\(\) needs exactly Ndim indices
// Mistake: one index into a 2-dim dense tensor.
#include <spmd/spmd.hpp>

using namespace spmd;

float f(local::dense<float, 2> const& x) {
  return x(0);
}
