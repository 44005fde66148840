// spmd/runtime/detail/threads_kernels.hpp - the data movement of the threads runtime: sums over
// several ranks' buffers in cache-sized tiles, and the split of a buffer into per-rank chunks.
// Private to <spmd/runtime/threads.hpp>.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace spmd::threads::detail {

/// Elements per tile: 8 KiB of data, so that a tile of partial sums stays in L1 while the
/// inputs stream through it once.
template <class T>
inline constexpr std::size_t tile_elems = 8192 / sizeof(T);

/// tmp[0, m) = sum over s in [0, n) of in(s)[0, m), added in rank order so that the result does
/// not depend on which rank computes it. M is a compile-time trip count (full tiles vectorise
/// at -O2), or 0 for a run-time count m.
template <std::size_t M, class T, class In>
inline void sum_tile(T* __restrict tmp, std::size_t n, In const& in, std::size_t m) noexcept {
  std::size_t const count = M != 0 ? M : m;
  if (n == 1) {
    std::memcpy(tmp, in(0), count * sizeof(T));
    return;
  }
  T const* __restrict a = in(0);
  T const* __restrict b = in(1);
  for (std::size_t i = 0; i < count; ++i) tmp[i] = a[i] + b[i];
  for (std::size_t s = 2; s < n; ++s) {
    T const* __restrict c = in(s);
    for (std::size_t i = 0; i < count; ++i) tmp[i] += c[i];
  }
}

/// For each tile of [0, len): sums the tile over the n inputs src(s) + offset and stores the
/// result to every output dst(k) + offset, k in [0, n_dst). Outputs may be exactly equal to inputs
/// (the tile is summed before it is stored); they must not overlap them otherwise.
template <class T, class Src, class Dst>
inline void sum_to(std::size_t n, Src const& src, std::size_t n_dst, Dst const& dst,
                   std::size_t len) noexcept {
  constexpr std::size_t tile = tile_elems<T>;
  alignas(64) T tmp[tile];
  std::size_t off = 0;
  for (; off + tile <= len; off += tile) {
    sum_tile<tile>(tmp, n, [&](std::size_t s) { return src(s) + off; }, tile);
    for (std::size_t k = 0; k < n_dst; ++k) std::memcpy(dst(k) + off, tmp, tile * sizeof(T));
  }
  if (off < len) {
    std::size_t const m = len - off;
    sum_tile<0>(tmp, n, [&](std::size_t s) { return src(s) + off; }, m);
    for (std::size_t k = 0; k < n_dst; ++k) std::memcpy(dst(k) + off, tmp, m * sizeof(T));
  }
}

/// Copies n elements unless source and destination are the same (an in-place block).
template <class T>
inline void copy_elems(T* dst, T const* src, std::size_t n) noexcept {
  if (n != 0 && dst != src) std::memcpy(dst, src, n * sizeof(T));
}

/// The chunk [begin, end) of a len-element buffer that rank r of n reduces in all_reduce.
/// Chunk boundaries fall on multiples of 64 bytes (relative to the buffer start) so that two ranks
/// rarely write the same cache line.
struct chunk {
  std::size_t begin;
  std::size_t end;
};
template <class T>
[[nodiscard]] inline chunk chunk_of(std::size_t len, std::size_t r, std::size_t n) noexcept {
  constexpr std::size_t unit = 64 / sizeof(T);
  std::size_t const units = (len + unit - 1) / unit;
  auto const bound = [&](std::size_t i) { return std::min(len, (units * i / n) * unit); };
  return {bound(r), bound(r + 1)};
}

}  // namespace spmd::threads::detail
