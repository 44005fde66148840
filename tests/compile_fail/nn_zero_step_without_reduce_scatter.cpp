// expect: spmd: optimizer step: the gradient is still P \(a pending sum\) on the data-parallel axis dp, where the parameter is R
// Mistake: an AdamW step on the flattened parameter with the flattened, unreduced gradient.
#include <array>

#include <spmd/nn.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;

template <class Rank>
void f(Rank&, nn::adamw& opt, autograd::parameter<nn::replicated<double>>& p) {
  std::array<std::size_t, 1> const flat{4};
  auto x = spmd::reshape(p.value(), flat);
  opt.update(x, spmd::reshape(p.grad(), flat), &p.value(), false);
}
template void f(spmd::threads::rank&, nn::adamw&, autograd::parameter<nn::replicated<double>>&);
