// spmd/autograd/ops_shape.hpp - softmax, reductions and views on autograd::var: the op
// definitions' functions (ops/reduce.hpp, ops/view.hpp) take variables, found here too.
#pragma once

#include <spmd/autograd/ops.hpp>
#include <spmd/ops/dropout.hpp>
#include <spmd/ops/reduce.hpp>
#include <spmd/ops/selection.hpp>
#include <spmd/ops/view.hpp>

namespace spmd::autograd {

using spmd::abs;
using spmd::clamp;
using spmd::concat;
using spmd::dropout;
using spmd::log_softmax;
using spmd::maximum;
using spmd::mean;
using spmd::minimum;
using spmd::narrow;
using spmd::pow;
using spmd::reshape;
using spmd::rsqrt;
using spmd::softmax;
using spmd::squeeze;
using spmd::sum;
using spmd::transpose;
using spmd::unsqueeze;
using spmd::where;

}  // namespace spmd::autograd
