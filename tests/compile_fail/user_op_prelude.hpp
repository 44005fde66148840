// The mesh and tensor types of the compile_fail/user_op_*.cpp cases.
#pragma once

#include "../common/user_ops.hpp"

using namespace spmd;
using M = mesh<"dp", "tp">;
using L = local::dense<double, 2>;
template <class Dp, class Tp>
using T = tensor<L, M, layout<Dp, Tp>>;
template <class Dp, class Tp>
using Var = autograd::var<T<Dp, Tp>>;
