// spmd/global/blocks.hpp - which block of a sharded dim a rank holds: uneven shards, by rule.
//
// A dim of global extent E sharded on axes (a1, ..., ak), major to minor, is split by a1 into
// n1 blocks whose lengths differ by at most one (the first E mod n1 are one longer), each of those
// by a2 the same way, and so on. Gathering the minor-most axis gives back exactly the blocks of
// (a1, ..., ak-1), and splitting appends an axis the same way, so the rule holds through every
// redistribution. With even extents it is the row-major block order of a flattened group.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace spmd::global {

/// A rank's block of one dim: where it starts in the global dim and how long it is.
struct block {
  std::size_t offset = 0;
  std::size_t length = 0;
};

/// Piece `index` of `n` pieces of a block of `length`: lengths differ by at most one, the longer
/// ones first.
constexpr block piece(block whole, std::size_t n, std::size_t index) noexcept {
  std::size_t const base = whole.length / n, extra = whole.length % n;
  return {whole.offset + index * base + (index < extra ? index : extra), base + (index < extra ? 1 : 0)};
}

/// The block of a dim of extent `extent` that a rank holds whose coordinates on the sharding axes
/// (major to minor) are `coords`, the axes having `sizes` ranks.
constexpr block block_of(std::size_t extent, std::span<std::size_t const> sizes,
                         std::span<std::size_t const> coords) noexcept {
  block b{0, extent};
  for (std::size_t i = 0; i < sizes.size(); ++i) b = piece(b, sizes[i], coords[i]);
  return b;
}

/// The lengths of the `n` pieces of a block of `length` (the split sizes of a collective that
/// gathers or splits it over an axis of `n` ranks).
inline std::vector<std::size_t> piece_lengths(std::size_t length, std::size_t n) {
  std::vector<std::size_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = piece(block{0, length}, n, i).length;
  return out;
}

}  // namespace spmd::global
