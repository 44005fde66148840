// expect: spmd: I \(invariant\) meets another type on this mesh axis, and I never mixes
// Mistake: a layer-norm weight (I@tp) scales sequence-parallel activations (S(0)@tp) directly; its
// gradient would never be all-reduced over tp. Fix: multiply by convert<"tp", I, R>(r, gamma).
#include <spmd/nn.hpp>

using namespace spmd;
using T = float;

auto scale(nn::activation<T, true> const& xhat, nn::replicated<T> const& gamma) {
  return xhat * gamma;
}

int main() {}
