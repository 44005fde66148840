// spmd/runtime/detail/buffer_checks.hpp - one rank's own buffers of a collective against its
// counts, said the same way by both runtimes (the threads runtime checks every rank's after the
// first barrier, the MPI runtime its own before calling MPI). Private to the runtimes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace spmd::runtime::detail {

/// Whether [a, a + a_bytes) and [b, b + b_bytes) share a byte.
[[nodiscard]] inline bool overlaps(void const* a, std::size_t a_bytes, void const* b, std::size_t b_bytes) noexcept {
  if (a_bytes == 0 || b_bytes == 0) return false;
  auto const x = reinterpret_cast<std::uintptr_t>(a);
  auto const y = reinterpret_cast<std::uintptr_t>(b);
  return x < y + b_bytes && y < x + a_bytes;
}

/// One rank's buffers of a reduce_scatter (`gather` false: the full buffer is its input, the block
/// its output) or an all_gather (`gather` true: the reverse), against the counts: the block must
/// hold `mine` elements (the rank's count), the full buffer `total` (their sum), and they may
/// overlap only if the block is exactly this rank's block of the full buffer (`block_is_own`).
/// Sizes in elements, of `elem_bytes` bytes. Nothing if all holds; else what is wrong, after
/// `label()` ("rank 1"), which is called only then (this runs on every collective).
template <class Label>
[[nodiscard]] std::optional<std::string> block_buffers_error(Label const& label, bool gather, void const* full,
                                                             std::size_t full_size, void const* block,
                                                             std::size_t block_size, std::size_t mine,
                                                             std::size_t total, bool block_is_own,
                                                             std::size_t elem_bytes) {
  if (block_size != mine)
    return label() + " passed " + (gather ? "" : "an output of ") + std::to_string(block_size) +
           " elements, counts say " + std::to_string(mine);
  if (full_size != total)
    return label() + " passed " + (gather ? "an output of " : "an input of ") + std::to_string(full_size) +
           " elements, counts sum to " + std::to_string(total);
  if (!block_is_own && overlaps(full, full_size * elem_bytes, block, block_size * elem_bytes))
    return label() + "'s " + (gather ? "input overlaps its output" : "output overlaps its input") +
           " (in place, the block must be exactly this rank's block of the " + (gather ? "output" : "input") + ")";
  return std::nullopt;
}

}  // namespace spmd::runtime::detail
