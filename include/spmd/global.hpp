// spmd/global.hpp - the global view: tensors that know their global shape and partition spec
// (global_tensor), shard propagation through every typed op, distribute / full_tensor /
// from_local / to_local, and redistribute between any two specs (docs/global.md).
#pragma once

#include <spmd/global/autograd.hpp>
#include <spmd/global/blocks.hpp>
#include <spmd/global/distribute.hpp>
#include <spmd/global/ops.hpp>
#include <spmd/global/plan.hpp>
#include <spmd/global/propagate.hpp>
#include <spmd/global/redistribute.hpp>
#include <spmd/global/spec.hpp>
#include <spmd/global/tensor.hpp>
#include <spmd/global/view.hpp>
