// expect: spmd: backward\(\) needs a loss that is I or P on every mesh axis
// Mistake: backward() of a loss that is R on tp: its gradient seed would be ambiguous.
#include <spmd/autograd.hpp>
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Loss = tensor<F2, Mesh, layout<P, R>>;

void f(Loss const& l) {
  autograd::backward(autograd::var<Loss>(l));
}
