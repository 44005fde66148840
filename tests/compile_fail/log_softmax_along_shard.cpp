// expect: spmd: a non-linear op works along a dim that is sharded on this mesh axis
// Mistake: log_softmax along the dim that is split over tp (each rank normalises its piece).
#include <spmd/spmd.hpp>

using namespace spmd;
using X = tensor<local::dense<double, 2>, mesh<"tp">, layout<S<1>>>;

auto f(X const& x) {
  return spmd::log_softmax<1>(x);
}
