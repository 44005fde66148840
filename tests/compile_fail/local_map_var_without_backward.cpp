// expect: spmd: local_map on autograd variables needs a backward
// Mistake: local_map of a variable with a forward only: its gradient would be unknown.
#include <spmd/autograd.hpp>
#include <spmd/spmd.hpp>

using namespace spmd;
using L = local::dense<double, 2>;
using X = tensor<L, mesh<"tp">, layout<R>>;

auto f(autograd::var<X> const& x) {
  return local_map<layouts<layout<R>>, layout<R>>([](L const& l) { return l; }, x);
}
