// spmd/torch.hpp - the typed layer (<spmd/spmd.hpp>) with the libtorch local tensor type,
// spmd::torch_tensor<T, Rank> (spmd::aten::torch_tensor), and all of its kernels on ATen.
//
// Include this to run typed ops on torch_tensor; link the CMake target spmd::torch. The c10d
// runtime is a separate header (<spmd/runtime/c10d.hpp>).
#pragma once

#include <spmd/spmd.hpp>
#include <spmd/torch/elementwise.hpp>
#include <spmd/torch/matmul.hpp>
#include <spmd/torch/reduce.hpp>
#include <spmd/torch/shape.hpp>
#include <spmd/torch/tensor.hpp>
