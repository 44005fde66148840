// expect: spmd: a non-linear op received P \(a pending sum\) on this mesh axis
// Mistake: maximum of a pending sum (max of the parts is not the max of the sum).
#include <spmd/spmd.hpp>

using namespace spmd;
using X = tensor<local::dense<double, 2>, mesh<"dp", "tp">, layout<V, P>>;

auto f(X const& x) {
  return spmd::maximum(x, 0.0);
}
