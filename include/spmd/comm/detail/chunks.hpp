// spmd/comm/detail/chunks.hpp - splitting a row-major buffer along one dim into contiguous chunks
// and joining them back: what collectives on S<d> need around the communicator's flat blocks.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/container/small_vector.hpp>

#include <spmd/runtime/comm_error.hpp>
#include <spmd/runtime/detail/split_messages.hpp>

namespace spmd::comm::detail {

/// Per-rank extents or element counts of one collective call: inline up to 8 ranks per group, so
/// the usual call allocates nothing for them. Passes as the span the communicators take.
struct size_list : boost::container::small_vector<std::size_t, 8> {
  using small_vector::small_vector;
  operator std::span<std::size_t const>() const noexcept { return {data(), size()}; }  // NOLINT: implicit
};

/// A row-major shape seen around dim d: `outer` slabs of `extent` rows of `inner` elements.
struct around_dim {
  std::size_t outer = 1, extent = 1, inner = 1;
};

template <class Shape>
around_dim split_shape(Shape const& shape, std::size_t d) {
  around_dim a;
  for (std::size_t i = 0; i < d; ++i) a.outer *= shape[i];
  a.extent = shape[d];
  for (std::size_t i = d + 1; i < shape.size(); ++i) a.inner *= shape[i];
  return a;
}

/// Copies one chunk (rows [off, off + len) of dim d) out of a row-major buffer into `dst`, a
/// row-major buffer of that chunk's shape.
template <class T>
void copy_chunk_out(T const* src, around_dim a, std::size_t off, std::size_t len, T* dst) {
  std::size_t const block = len * a.inner;
  for (std::size_t o = 0; o < a.outer; ++o, dst += block) std::copy_n(src + (o * a.extent + off) * a.inner, block, dst);
}

/// The inverse of copy_chunk_out: a chunk's row-major buffer into rows [off, off + len) of dim d.
template <class T>
void copy_chunk_in(T const* src, around_dim a, std::size_t off, std::size_t len, T* dst) {
  std::size_t const block = len * a.inner;
  for (std::size_t o = 0; o < a.outer; ++o, src += block) std::copy_n(src, block, dst + (o * a.extent + off) * a.inner);
}

// One walk over the chunks for both directions: Pack copies each chunk out of the row-major
// buffer into its contiguous block, unpack copies it back.
template <bool Pack, class T>
void move_chunks(T const* src, around_dim a, std::span<std::size_t const> lens, T* dst) {
  if (a.outer == 1) {
    std::copy_n(src, a.extent * a.inner, dst);
    return;
  }
  std::size_t off = 0;
  for (std::size_t len : lens) {
    if constexpr (Pack) {
      copy_chunk_out(src, a, off, len, dst);
      dst += a.outer * len * a.inner;
    } else {
      copy_chunk_in(src, a, off, len, dst);
      src += a.outer * len * a.inner;
    }
    off += len;
  }
}

/// Copies chunk-major blocks out of a row-major buffer: chunk j (rows [off_j, off_j + len_j) of
/// dim d) becomes one contiguous block, blocks in order. `dst` holds outer * extent * inner elems.
template <class T>
void pack_chunks(T const* src, around_dim a, std::span<std::size_t const> lens, T* dst) {
  move_chunks<true>(src, a, lens, dst);
}

/// The inverse of pack_chunks: chunk-major blocks back into a row-major buffer.
template <class T>
void unpack_chunks(T const* src, around_dim a, std::span<std::size_t const> lens, T* dst) {
  move_chunks<false>(src, a, lens, dst);
}

/// Element counts of the chunks of an even split (`sizes` empty) or of `sizes`, whose per-rank
/// extents are `lens`. An even split's counts come from one extent: gcc -O3 vectorizes loops
/// over `lens`, and a vector load of entries just written one by one stalls (store forwarding
/// fails), ~10 ns per call.
inline size_list chunk_counts(around_dim a, std::span<std::size_t const> sizes, size_list const& lens) {
  // (Filled by the constructor: value-initialising then assigning costs a `rep stos`.)
  size_list counts(lens.size(), sizes.empty() && !lens.empty() ? a.outer * lens[0] * a.inner : 0);
  if (!sizes.empty())
    for (std::size_t i = 0; i < counts.size(); ++i) counts[i] = a.outer * sizes[i] * a.inner;
  return counts;
}

/// The sum of the per-rank extents: `sizes`, or `each` on every one of `ranks` ranks.
inline std::size_t total_extent(std::span<std::size_t const> sizes, std::size_t each, std::size_t ranks) {
  if (sizes.empty()) return each * ranks;
  std::size_t total = 0;
  for (auto s : sizes) total += s;
  return total;
}

/// Element counts of the chunks: one per rank.
inline size_list chunk_counts(around_dim a, std::span<std::size_t const> lens) {
  size_list counts(lens.size());
  for (std::size_t i = 0; i < lens.size(); ++i) counts[i] = a.outer * lens[i] * a.inner;
  return counts;
}

/// Where a split happens, for the messages: the operation, its axes and the split dim.
struct split_site {
  char const* op;
  std::string_view axes;
  std::size_t dim;
};

/// "spmd: all_gather on 'tp': " and "rank 1 (tp=1)" (one axis: the group rank is the coordinate).
inline std::string site_text(split_site const& at) {
  return "spmd: " + std::string(at.op) + " on '" + std::string(at.axes) + "': ";
}
inline std::string rank_text(split_site const& at, std::size_t rank) {
  std::string s = "rank " + std::to_string(rank);
  if (at.axes.find(',') == std::string_view::npos) s += " (" + std::string(at.axes) + "=" + std::to_string(rank) + ")";
  return s;
}

/// Per-rank extents along a split dim: the given split sizes (checked), or an even split of
/// `total` (which must divide).
inline size_list split_lengths(std::span<std::size_t const> given, std::size_t total, std::size_t ranks,
                               split_site const& at) {
  std::string const dim = "dim " + std::to_string(at.dim);
  if (!given.empty()) {
    std::size_t sum = 0;
    for (auto s : given) sum += s;
    if (given.size() != ranks || sum != total)
      throw comm_error(site_text(at) + "split sizes " + runtime::detail::format_list(given) + " along " + dim +
                           " give " + std::to_string(given.size()) + " pieces of total extent " + std::to_string(sum) +
                           ", but the group has " + std::to_string(ranks) + " ranks and " + dim + " has extent " +
                           std::to_string(total),
                       comm_error::reason::mismatch);
    return size_list(given.begin(), given.end());
  }
  if (total % ranks != 0)
    throw comm_error(site_text(at) + "extent " + std::to_string(total) + " of " + dim + " does not split evenly over " +
                         std::to_string(ranks) + " ranks; pass the per-rank split sizes",
                     comm_error::reason::mismatch);
  return size_list(ranks, total / ranks);
}

/// Per-rank extents of pieces that are gathered: the given split sizes (this rank's entry must be
/// its own extent), or the same extent on every rank (checked by the communicator).
inline size_list gather_lengths(std::span<std::size_t const> given, std::size_t mine, std::size_t rank,
                                std::size_t ranks, split_site const& at) {
  if (given.empty()) return size_list(ranks, mine);
  if (given.size() != ranks || given[rank] != mine)
    throw comm_error(site_text(at) + "split sizes " + runtime::detail::format_list(given) + " along dim " +
                         std::to_string(at.dim) +
                         (given.size() != ranks
                              ? " have " + std::to_string(given.size()) + " entries for a group of " +
                                    std::to_string(ranks) + " ranks"
                              : " say " + rank_text(at, rank) + " holds " + std::to_string(given[rank]) +
                                    ", but it holds " + std::to_string(mine)),
                     comm_error::reason::mismatch);
  return size_list(given.begin(), given.end());
}

template <class Shape>
[[noreturn, gnu::cold, gnu::noinline]] void throw_out_shape(Shape const& out, Shape const& expected, char const* op,
                                                            std::string_view axes) {
  auto text = [](Shape const& s) {
    std::string t = "[";
    for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(static_cast<std::size_t>(s[i]));
    return t + "]";
  };
  throw std::invalid_argument("spmd: " + std::string(op) + " on '" + std::string(axes) +
                              "': the output tensor has shape " + text(out) + ", the result has shape " +
                              text(expected));
}

/// Throws std::invalid_argument unless `out` (the shape of the output tensor of an '_into' call)
/// is `expected` (the shape of the result). Compared extent by extent, inline: it runs on every
/// call.
template <class Shape>
void check_out_shape(Shape const& out, Shape const& expected, char const* op, std::string_view axes) {
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i] != expected[i]) throw_out_shape(out, expected, op, axes);
}

}  // namespace spmd::comm::detail
