// expect: spmd: autograd: an op mixes an autograd::var and a plain typed tensor
// Mistake: multiplies a variable by a plain typed weight inside autograd.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto f(var<Gathered> const& x, ColW const& w) {
  return autograd::matmul(x, w);
}
