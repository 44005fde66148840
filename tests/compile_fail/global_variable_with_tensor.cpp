// expect: spmd: global: an op mixes a global variable and a global tensor; make the tensor a constant variable \(global::constant\(x\)\)
// Mistake: multiplies a global variable by a global tensor: a plain tensor in a differentiated computation must be a constant variable (global::constant).
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;
using X = G2<spec<on<"dp">, on<>, at<"tp", R>>>;

void f(autograd::tape& t, X const& x, X const& c) {
  auto const v = global::variable(t, x);
  auto const y = v * c;
  (void)y;
}
