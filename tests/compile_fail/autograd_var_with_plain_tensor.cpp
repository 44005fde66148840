// expect: spmd: autograd: an op mixes an autograd::var and a plain typed tensor
// Mistake: adds a plain typed tensor to a variable; the tensor has no place on the tape.
// Fix: autograd::var<Bias>{b} (a constant), or a parameter's on(tape).
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto f(var<Gathered> const& x, Bias const& b) {
  return x + b;
}
