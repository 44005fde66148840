// spmd/runtime/communicator.hpp - what a runtime must provide: the untyped communicator concept.
//
// A communicator is one group of ranks (one mesh axis, or several axes flattened). Its
// collectives work on contiguous float/double buffers; counts make uneven splits possible.
// Every implementation checks at run time that all ranks of the group agree (same operation,
// same counts, buffer sizes matching the counts) and otherwise throws spmd::comm_error on every
// rank of the group. The typed layer (spmd/comm/) is written against these concepts only.
#pragma once

#include <concepts>
#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>

#include <spmd/runtime/comm_error.hpp>

namespace spmd {

/// What the counts of a collective count when they come from splitting one dim of a tensor (the
/// typed collectives of spmd/comm/ pass one): block i is extent_i indices along dim `dim` of
/// `per_index` elements each (counts[i] == extent_i * per_index). `given`: the caller passed the
/// extents (split sizes); otherwise they follow from its tensor (an even split, or its own extent
/// taken for every rank's). Only numbers: the runtime learns no types. With a note, a runtime
/// reports a disagreement about the counts as split sizes along `dim`, the units the caller used.
struct split_note {
  static constexpr std::size_t no_dim = static_cast<std::size_t>(-1);
  std::size_t dim = no_dim;  ///< no_dim: no note, the counts are the caller's element counts
  std::size_t per_index = 0;
  bool given = false;
  [[nodiscard]] constexpr bool present() const noexcept { return dim != no_dim; }
};

/// The local shape of the tensor behind a collective's buffer on this rank (the typed collectives
/// of spmd/comm/ pass one), and the dim along which the ranks may hold different extents (the
/// split dim of an uneven shard; `no_dim` for none). Element counts alone cannot tell [2, 3] from
/// [3, 2]: with a note, a runtime checks that every rank of the group holds the same shape in
/// every other dim, and reports a disagreement in shapes. Only numbers: the runtime learns no
/// types. `shape` is valid during the call only.
struct shape_note {
  static constexpr std::size_t no_dim = split_note::no_dim;
  std::span<std::size_t const> shape{};
  std::size_t free_dim = no_dim;
  bool known = false;  ///< false: no note (a caller's own buffer)
};

/// How the full buffer of a reduce_scatter_sum or all_gather holds the blocks when they are not one
/// after another: `rows` rows of equal length, each the concatenation in rank order of one row of
/// every block (block i has counts[i] / rows elements in each row; a rank's own block buffer, the
/// gathered `in` or the scattered `out`, holds its rows one after another). This is a row-major
/// tensor split along a dim other than the first: rows = the product of the extents before it.
/// rows == 1: the blocks one after another. A communicator may accept it (after the counts, before
/// the notes); the typed collectives then pass the tensor itself instead of a packed copy.
struct block_rows {
  std::size_t rows = 1;
};

/// A group of ranks with untyped collectives on float and double buffers:
///  - size(), rank(): number of ranks in the group, this rank's index in it;
///  - all_reduce_sum(data): in place, element-wise sum over the group;
///  - reduce_scatter_sum(in, out, counts): `in` is the concatenation of size() blocks (block i has
///    counts[i] elements); `out` (counts[rank()] elements) receives the sum of block rank();
///  - all_gather(in, out, counts): `in` is this rank's block (counts[rank()] elements); `out`
///    receives all blocks concatenated in rank order (sum(counts) elements);
///  - all_to_all(send, send_counts, recv, recv_counts): send block j goes to rank j, recv block i
///    came from rank i (send_counts of rank i, entry j == recv_counts of rank j, entry i);
///    reduce_scatter_sum, all_gather and all_to_all may take trailing split_note arguments and
///    all four may take a trailing shape_note (see above; the typed collectives pass them when
///    the communicator accepts them);
///  - broadcast(data, root): root's data to every rank, in place;
///  - barrier().
/// Optionally, agree_split(counts, note): a check, no data moves, that every rank of the group
/// passed the same split (counts[i] elements for rank i, `note` says what they count), or the
/// same comm_error on every rank. The typed convert to an uneven shard calls it when the
/// communicator has it: that convert cuts its piece locally, and ranks that disagree about the
/// split sizes would otherwise drop or repeat rows without any error.
template <class C>
concept communicator = requires(C& c, std::span<float> f, std::span<float const> cf, std::span<double> d,
                                std::span<double const> cd, std::span<std::size_t const> counts) {
  { c.size() } -> std::convertible_to<std::size_t>;
  { c.rank() } -> std::convertible_to<std::size_t>;
  c.all_reduce_sum(f);
  c.all_reduce_sum(d);
  c.reduce_scatter_sum(cf, f, counts);
  c.reduce_scatter_sum(cd, d, counts);
  c.all_gather(cf, f, counts);
  c.all_gather(cd, d, counts);
  c.all_to_all(cf, counts, f, counts);
  c.all_to_all(cd, counts, d, counts);
  c.broadcast(f, std::size_t{0});
  c.broadcast(d, std::size_t{0});
  c.barrier();
};

namespace detail {
/// The result of rank_context::comm(): a communicator, returned by (lvalue) reference or value.
template <class T>
concept communicator_result = communicator<std::remove_cvref_t<T>>;
}  // namespace detail

/// One rank of a running mesh: its index, its coordinate and the size of every named axis, and
/// the communicator of the ranks that differ from it only on a given axis.
template <class R>
concept rank_context = requires(R& r, std::string_view axis) {
  { r.comm(axis) } -> detail::communicator_result;
  { r.index() } -> std::convertible_to<std::size_t>;
  { r.coord(axis) } -> std::convertible_to<std::size_t>;
  { r.axis_size(axis) } -> std::convertible_to<std::size_t>;
};

}  // namespace spmd
