// The mesh and tensor types of the compile_fail/user_op_*.cpp cases.
// A case includes <spmd/autograd.hpp> before this file: its precompiled form (tests/compile_fail/CMakeLists.txt)
// is used only for a translation unit's first include, and most of this prelude is in it.
#pragma once

#include "../common/user_ops.hpp"

using namespace spmd;
using M = mesh<"dp", "tp">;
using L = local::dense<double, 2>;
template <class Dp, class Tp>
using T = tensor<L, M, layout<Dp, Tp>>;
template <class Dp, class Tp>
using Var = autograd::var<T<Dp, Tp>>;
