// expect: spmd: backward\(\) needs a loss that is I or P on every mesh axis
// Mistake: backward() of a loss that is R on tp: its gradient seed would be ambiguous.
#include <spmd/autograd.hpp>
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;
using Loss = tensor<F2, Mesh, layout<P, R>>;

void f(Loss const& l) { autograd::backward(autograd::var<Loss>(l)); }
