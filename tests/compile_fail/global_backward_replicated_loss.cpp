// expect: spmd: backward\(\) needs a loss that is I or P on every mesh axis
// Mistake: differentiates a loss that is R on tp (the sum of an R activation): its gradient seed would be ambiguous.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(autograd::tape& t, G2<spec<on<"dp">, on<>, at<"tp", R>>> const& x) {
  auto const v = global::variable(t, x);
  auto const loss = sum_all(v * v);
  global::backward(loss);
}
