// expect: spmd: local_map: an argument's layout differs from the one the call states
// Mistake: the row-parallel output (a pending sum on tp) passed to a kernel stated to take R:
// without local_map, x.local() and a re-wrap as R would have compiled.
#include <spmd/spmd.hpp>

using namespace spmd;
using L = local::dense<double, 2>;
using Y = tensor<L, mesh<"dp", "tp">, layout<V, P>>;

auto f(Y const& y) {
  return local_map<layouts<layout<V, R>>, layout<V, R>>([](L const& l) { return l; }, y);
}
