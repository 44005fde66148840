// spmd/local/kernels.hpp - all numeric kernels for local::dense (found by ADL).
//
// Include the individual headers instead to keep translation units light; only
// dense_matmul.hpp and dense_einsum.hpp pull in Eigen.
#pragma once

#include <spmd/local/dense.hpp>
#include <spmd/local/dense_einsum.hpp>
#include <spmd/local/dense_elementwise.hpp>
#include <spmd/local/dense_grad.hpp>
#include <spmd/local/dense_matmul.hpp>
#include <spmd/local/dense_reduce.hpp>
#include <spmd/local/dense_shape.hpp>
