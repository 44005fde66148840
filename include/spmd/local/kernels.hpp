// spmd/local/kernels.hpp - all numeric kernels for local::dense (found by ADL).
//
// Only dense_matmul.hpp and dense_einsum.hpp pull in Eigen. <spmd/dense.hpp> includes this header
// with <spmd/spmd.hpp>; <spmd/spmd.hpp> alone does not, so that the typed layer builds without
// Eigen. A translation unit that needs only some kernels may include <spmd/spmd.hpp> and the
// individual dense_*.hpp headers instead.
#pragma once

#include <spmd/local/dense.hpp>
#include <spmd/local/dense_einsum.hpp>
#include <spmd/local/dense_elementwise.hpp>
#include <spmd/local/dense_grad.hpp>
#include <spmd/local/dense_matmul.hpp>
#include <spmd/local/dense_reduce.hpp>
#include <spmd/local/dense_shape.hpp>
