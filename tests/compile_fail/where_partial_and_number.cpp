// expect: spmd: P \+ scalar on this mesh axis
// Mistake: where() picks between a pending sum and a number: the number would be summed once per rank.
#include <spmd/spmd.hpp>

using namespace spmd;
using X = tensor<local::dense<double, 2>, mesh<"tp">, layout<R>>;
using Y = tensor<local::dense<double, 2>, mesh<"tp">, layout<P>>;

auto f(X const& mask, Y const& a) {
  return spmd::where(mask, a, 0.0);
}
