// expect: spmd: an operand that this op is not linear in \(a mask, a selector\) is P
// Mistake: where() with a mask that is a pending sum (each rank's mask is a piece of a sum).
#include <spmd/spmd.hpp>

using namespace spmd;
using X = tensor<local::dense<double, 2>, mesh<"tp">, layout<P>>;

auto f(X const& mask, X const& a, X const& b) {
  return spmd::where(mask, a, b);
}
