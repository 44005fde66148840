// expect: spmd: optimizer step: the gradient is still P \(a pending sum\) on the data-parallel axis dp
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (written with auto): the optimizer steps with a gradient that is still P over dp (each dp rank's batch share).
// Fix: nn::all_reduce_grad(r, w) (all_reduce<"dp", R>) before the step.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

void step(Rank& r, var<Act> const& x, autograd::parameter<ColW>& w1, var<RowW> const& w2) {
  auto y = nn::row_parallel<false>(r, autograd::gelu(nn::column_parallel(r, x, w1.on(*x.tape()))), w2);
  autograd::backward(autograd::reinterpret<"dp", V, P>(r, autograd::sum_all(y)));
  auto g = w1.take_grad();
  nn::sgd{.lr = 0.1}.step(w1, g);
}
