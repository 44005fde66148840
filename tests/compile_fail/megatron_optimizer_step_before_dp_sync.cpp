// expect: spmd: optimizer step: the gradient is still P \(a pending sum\) on the data-parallel axis dp, where the parameter is R
// Mistake: steps a dp-replicated parameter with its gradient before the all-reduce over dp (P on dp).
#include <spmd/comm.hpp>
#include <spmd/nn.hpp>
#include <spmd/runtime/threads.hpp>
#include <spmd/spmd.hpp>

using namespace spmd;
using W = tensor<local::dense<float, 2>, mesh<"dp", "tp">, layout<R, S<1>>>;  // replicated over dp

void step(nn::sgd& opt, autograd::parameter<W>& p) {
  opt.step(p, p.grad());
}
