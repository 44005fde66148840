// expect: spmd: optimizer step: the gradient is still P \(a pending sum\) on this mesh axis \(not dp\).*on_axis<'t', 'p'>
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (with declared types): with sequence parallelism a layer-norm weight declared R on tp meets S(0) activations: its
// gradient is P on tp and is only reduced over dp. Fix: declare it I on tp and use it through
// nn::replicated_operand (convert<"tp", I, R>), whose backward all-reduces over tp.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

void step(Rank& r, var<ActSp> const& x, autograd::parameter<Bias>& w, autograd::parameter<Bias>& b) {
  var<ActSp> const y = nn::fused::layer_norm_rows(x, w.on(*x.tape()), b.on(*x.tape()));
  autograd::backward(
      nn::vocab_parallel_cross_entropy(r, autograd::matmul(autograd::all_gather<"tp", R>(r, y), var<ColW>{ColW{}}), {},
                                       1));
  nn::tensor2<T, R, P> const g = spmd::all_reduce<"dp", R>(r, w.take_grad());
  nn::sgd{.lr = 0.1}.step(w, g);
}
