// spmd/comm/arguments.hpp - what the typed collectives take besides the tensor: the `expert` tag,
// per-rank split sizes of uneven shards, and the local tensors they can move (buffer_tensor and
// row_major_tensor, in spmd/local/buffer.hpp).
#pragma once

#include <cstddef>
#include <span>

#include <spmd/local/buffer.hpp>

namespace spmd {

/// Tag that unlocks the converts and reinterprets that are almost never wanted in forward code
/// (see docs/collectives.md): `convert<"tp", R, I>(r, x, spmd::expert)`.
struct expert_t {
  explicit expert_t() = default;
};
inline constexpr expert_t expert{};

/// Per-rank extents along the split dim of an uneven S<d> (empty: an even split).
using split_sizes = std::span<std::size_t const>;

}  // namespace spmd
