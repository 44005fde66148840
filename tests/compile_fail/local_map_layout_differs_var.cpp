// expect: spmd: local_map: an argument's layout differs from the one the call states
// Mistake: as local_map_layout_differs.cpp, on an autograd variable.
#include <spmd/autograd.hpp>
#include <spmd/spmd.hpp>

using namespace spmd;
using L = local::dense<double, 2>;
using Y = tensor<L, mesh<"dp", "tp">, layout<V, P>>;

auto f(autograd::var<Y> const& y) {
  auto same = [](L const& l) { return l; };
  auto back = [](L const& g, L const&, L const&) { return g; };
  return local_map<layouts<layout<V, R>>, layout<V, R>>(local_fn{same, back}, y);
}
