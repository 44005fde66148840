// spmd/autograd/ops_einsum.hpp - einsum on autograd::var: the op definition's function
// (ops/einsum.hpp) takes variables; its backward is an einsum too (ops/detail/einsum_grad.hpp).
#pragma once

#include <spmd/autograd/ops_shape.hpp>
#include <spmd/ops/einsum.hpp>

namespace spmd::autograd {

using spmd::einsum;

}  // namespace spmd::autograd
