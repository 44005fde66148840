// spmd/comm/ops.hpp - the typed collectives, converts and reinterprets as types: each knows its
// placements, its legality and its data movement. The collectives are in
// spmd/comm/collective_ops.hpp, the ops that never communicate in spmd/comm/local_ops.hpp, what
// they share in spmd/comm/detail/op_support.hpp; their backward (another op type) is in
// spmd/comm/backward.hpp.
//
// The user-facing functions (spmd/comm/collectives.hpp, spmd/comm/convert.hpp) are thin wrappers
// around these.
#pragma once

#include <spmd/comm/collective_ops.hpp>
#include <spmd/comm/local_ops.hpp>
