// expect: spmd: a non-linear op received P \(a pending sum\) on this mesh axis
// Mistake: clamp of a pending sum, on an autograd variable.
#include <spmd/autograd.hpp>
#include <spmd/spmd.hpp>

using namespace spmd;
using X = tensor<local::dense<double, 2>, mesh<"tp">, layout<P>>;

auto f(autograd::var<X> const& x) {
  return spmd::clamp(x, -1.0, 1.0);
}
