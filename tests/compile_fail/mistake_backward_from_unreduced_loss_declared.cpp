// expect: spmd: backward\(\) needs a loss that is I or P on every mesh axis
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (with declared types): backward from a per-rank (V on dp) loss: its gradient seed is ambiguous.
// Fix: reinterpret<"dp", V, P> (each rank's share of the mean) or all_reduce it.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

void train(Rank& r, var<Act> const& x, var<ColW> const& w1, var<RowW> const& w2) {
  var<Act> const y = nn::row_parallel<false>(r, autograd::gelu(nn::column_parallel(r, x, w1)), w2);
  var<nn::tensor2<T, V, I>> const loss = autograd::sum_all(y);
  autograd::backward(loss);
}
