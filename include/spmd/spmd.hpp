// spmd/spmd.hpp - the typed layer, without Eigen or Boost: placements, meshes, layouts, rules,
// the typed tensor, local::dense (kernels: <spmd/dense.hpp>), the typed ops, printing.
#pragma once

#include <spmd/core/fixed_string.hpp>
#include <spmd/core/grad.hpp>
#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/core/printed_names.hpp>
#include <spmd/format.hpp>
#include <spmd/local/buffer.hpp>
#include <spmd/local/concept.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/local/differentiable.hpp>
#include <spmd/ops/define.hpp>
#include <spmd/ops/dropout.hpp>
#include <spmd/ops/einsum.hpp>
#include <spmd/ops/elementwise.hpp>
#include <spmd/ops/local_map.hpp>
#include <spmd/ops/matmul.hpp>
#include <spmd/ops/reduce.hpp>
#include <spmd/ops/selection.hpp>
#include <spmd/ops/view.hpp>
#include <spmd/rules/linearity.hpp>
#include <spmd/rules/out_partial.hpp>
#include <spmd/tensor.hpp>
