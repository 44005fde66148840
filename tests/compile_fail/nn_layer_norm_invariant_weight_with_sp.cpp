// expect: spmd: I \(invariant\) meets another type on this mesh axis
// Mistake: a layer-norm weight that is I on tp used as it is next to a sequence-parallel (S(0)@tp)
// activation; it must enter through convert<"tp", I, R> (nn::replicated_operand does that).
#include <spmd/nn.hpp>

using namespace spmd;
using X = nn::activation<float, true>;

auto f(autograd::var<X> const& x, autograd::var<nn::replicated<float>> const& w) {
  return nn::fused::layer_norm_rows(x, w, w);
}
