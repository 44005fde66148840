// spmd/rules/block_order.hpp - which mesh axes a collective may gather or split a tensor dim over
// while other axes shard the same dim.
//
// When several mesh axes shard one dim (S<d> on each), the blocks of d are ordered by the axes in
// mesh order, the outer axis major: on mesh<"dp", "tp">, layout<S<0>, S<0>> means that rank
// (i, j) holds block i * |tp| + j. A collective over a group of axes that gathers or splits d
// keeps that order only if every other axis that shards d comes before the group's axes: gathering
// the outer axis dp while tp still shards d would put the blocks in tp-major order under a type
// that says dp-major (DTensor's "strided shard"). The redistribute planners order their steps by
// this rule; this header makes the single collectives check it too.
//
// Type level only.
#pragma once

#include <array>
#include <cstddef>

#include <spmd/core/meta.hpp>
#include <spmd/core/placement.hpp>

namespace spmd::rules {

/// The first mesh axis outside the group (`in_group`) that shards `dim` and comes after an axis
/// of the group, or N if there is none (the blocks of `dim` stay in mesh order).
template <std::size_t N>
constexpr std::size_t axis_breaking_block_order(std::array<placement_value, N> const& values,
                                                std::array<bool, N> const& in_group, int dim) noexcept {
  std::size_t first = N;
  for (std::size_t k = 0; k < N && first == N; ++k)
    if (in_group[k]) first = k;
  for (std::size_t k = first + 1; k < N; ++k)
    if (!in_group[k] && values[k].is_shard() && values[k].dim == dim) return k;
  return N;
}

/// The diagnostic of a collective that would put the blocks of a dim out of mesh order. `Axis`
/// is the later axis that shards the same dim.
template <class Axis, int Dim>
struct block_order_diagnostic {
  static_assert(spmd::detail::always_false<Axis>,
                "spmd: a collective gathers or splits a dim over mesh axes that come before this mesh axis, "
                "which shards the same dim (S<d> here too): the blocks of a dim sharded on several axes are "
                "ordered outer axis first, and this would leave them out of that order; gather over this "
                "axis first, or run the collective over all the axes that shard the dim at once (e.g. "
                "\"dp,tp\"), or use redistribute, which orders the steps for you");
  static constexpr bool value = false;
};

}  // namespace spmd::rules
