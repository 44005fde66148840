// spmd/runtime/detail/threads_kernels.hpp - the data movement of the threads runtime: sums over
// several ranks' buffers in cache-sized tiles, copies that bypass the caches when they are much
// larger than them, and the split of a buffer into per-rank chunks.
// Private to <spmd/runtime/threads.hpp>.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

// Non-temporal stores need SSE2. Under ThreadSanitizer every store stays a plain (intercepted)
// one so that the race detector sees all of them.
#if defined(__SSE2__) && !defined(__SANITIZE_THREAD__)
#if defined(__has_feature)
#if !__has_feature(thread_sanitizer)
#define SPMD_THREADS_STREAM_STORES 1
#endif
#else
#define SPMD_THREADS_STREAM_STORES 1
#endif
#endif
#if defined(SPMD_THREADS_STREAM_STORES)
#include <emmintrin.h>
#endif

namespace spmd::threads::detail {

/// A rank that writes at least this many bytes in one collective writes them with non-temporal
/// stores: the data would not stay in the caches anyway, and a plain store first reads the
/// destination line (a third of a copy's memory traffic).
inline constexpr std::size_t stream_min_bytes = std::size_t{8} << 20;

/// Copies `bytes` bytes (the ranges must not overlap). With `stream`, the destination's whole
/// cache lines are written with non-temporal stores; stream_fence() must follow before another
/// thread may read them.
inline void copy_bytes(void* dst, void const* src, std::size_t bytes, bool stream) noexcept {
#if defined(SPMD_THREADS_STREAM_STORES)
  if (stream && bytes >= 256) {
    auto* d = static_cast<unsigned char*>(dst);
    auto const* s = static_cast<unsigned char const*>(src);
    std::size_t const head = (64 - reinterpret_cast<std::uintptr_t>(d) % 64) % 64;
    std::memcpy(d, s, head);
    d += head;
    s += head;
    bytes -= head;
    std::size_t const body = bytes / 64 * 64;
    for (std::size_t o = 0; o < body; o += 64) {
      __m128i const a = _mm_loadu_si128(reinterpret_cast<__m128i const*>(s + o));
      __m128i const b = _mm_loadu_si128(reinterpret_cast<__m128i const*>(s + o + 16));
      __m128i const c = _mm_loadu_si128(reinterpret_cast<__m128i const*>(s + o + 32));
      __m128i const e = _mm_loadu_si128(reinterpret_cast<__m128i const*>(s + o + 48));
      _mm_stream_si128(reinterpret_cast<__m128i*>(d + o), a);
      _mm_stream_si128(reinterpret_cast<__m128i*>(d + o + 16), b);
      _mm_stream_si128(reinterpret_cast<__m128i*>(d + o + 32), c);
      _mm_stream_si128(reinterpret_cast<__m128i*>(d + o + 48), e);
    }
    std::memcpy(d + body, s + body, bytes - body);
    return;
  }
#else
  (void)stream;
#endif
  if (bytes != 0) std::memcpy(dst, src, bytes);
}

/// Orders the non-temporal stores of copy_bytes before the stores that follow (the barrier that
/// lets other ranks read the data).
inline void stream_fence() noexcept {
#if defined(SPMD_THREADS_STREAM_STORES)
  _mm_sfence();
#endif
}

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
/// (the tile is summed before it is stored); they must not overlap them otherwise. With `stream`
/// (see copy_bytes), the stores are non-temporal and stream_fence() must follow.
template <class T, class Src, class Dst>
inline void sum_to(std::size_t n, Src const& src, std::size_t n_dst, Dst const& dst, std::size_t len,
                   bool stream = false) noexcept {
  constexpr std::size_t tile = tile_elems<T>;
  alignas(64) T tmp[tile];
  std::size_t off = 0;
  if (stream && n_dst == 1) {
    // Tiles aligned to the output's cache lines: whole lines go through the streaming stores.
    std::size_t const mis = reinterpret_cast<std::uintptr_t>(dst(0)) % 64;
    if (mis % sizeof(T) == 0) off = std::min(len, (64 - mis) % 64 / sizeof(T));
    if (off != 0) {
      sum_tile<0>(tmp, n, src, off);
      std::memcpy(dst(0), tmp, off * sizeof(T));
    }
  }
  for (; off + tile <= len; off += tile) {
    sum_tile<tile>(
        tmp, n, [&](std::size_t s) { return src(s) + off; }, tile);
    for (std::size_t k = 0; k < n_dst; ++k) copy_bytes(dst(k) + off, tmp, tile * sizeof(T), stream);
  }
  if (off < len) {
    std::size_t const m = len - off;
    sum_tile<0>(
        tmp, n, [&](std::size_t s) { return src(s) + off; }, m);
    for (std::size_t k = 0; k < n_dst; ++k) copy_bytes(dst(k) + off, tmp, m * sizeof(T), stream);
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
