// The Megatron types shared by the mistake catalogue (tests/compile_fail/mistake_*.cpp): each
// case is one classic sharding mistake written into a transformer block on autograd variables,
// once with `auto` and once with declared types. The first error must be the mistake's `spmd:`
// message and the whole g++ output at most 25 lines (see cmake/spmd_compile_fail.cmake).
// A case includes <spmd/nn.hpp> before this file: its precompiled form (tests/compile_fail/CMakeLists.txt)
// is used only for a translation unit's first include, and most of this prelude is in it.
#pragma once

#include <spmd/autograd.hpp>
#include <spmd/nn.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using autograd::var;
using T = float;
using Rank = threads::rank;
using ActSp = nn::activation<T, true>;  // (V, S0): tokens sharded over tp (SP)
using Act = nn::activation<T, false>;   // (V, I)
using Gathered = nn::gathered<T>;       // (V, R): input of a column-parallel matmul
using ColOut = nn::column_out<T>;       // (V, S1): output of a column-parallel matmul
using RowPartial = nn::row_partial<T>;  // (V, P): output of a row-parallel matmul
using ColW = nn::column_weight<T>;      // (R, S1)
using RowW = nn::row_weight<T>;         // (R, S0)
using Bias = nn::tensor2<T, R, R>;      // a bias every rank holds whole
using Loss = nn::loss_tensor<T>;        // (P, I)
