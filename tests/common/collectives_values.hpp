// Ndim-generic bodies of the forward-value tests of the typed collectives, converts and
// reinterprets, shared by the threads runtime's unit tests (tests/unit/test_collectives_values.cpp)
// and the MPI tests (tests/mpi/). Each body runs on every rank of a mesh and returns whether what
// this rank holds is right (no test framework here; the caller asserts). Sizes scale with the
// axis size n = r.axis_size("tp"); the unit tests pin the sizes they always used.
#pragma once

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <type_traits>
#include <vector>

#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/communicator.hpp>

namespace spmd_tests::values {

using Mat = spmd::local::dense<double, 2>;
using M = spmd::mesh<"tp">;
template <class Pl>
using T = spmd::tensor<Mat, M, spmd::layout<Pl>>;

// The global matrix every test slices: G(i, j) = 1000 i + j.
inline double g(std::size_t i, std::size_t j) {
  return 1000.0 * static_cast<double>(i) + static_cast<double>(j);
}

// Rows [r0, r0 + nr) and columns [c0, c0 + nc) of G.
inline Mat block(std::size_t r0, std::size_t nr, std::size_t c0, std::size_t nc) {
  Mat m({nr, nc});
  for (std::size_t i = 0; i < nr; ++i)
    for (std::size_t j = 0; j < nc; ++j) m(i, j) = g(r0 + i, c0 + j);
  return m;
}

inline std::size_t offset(std::vector<std::size_t> const& lens, std::size_t rank) {
  return std::accumulate(lens.begin(), lens.begin() + static_cast<std::ptrdiff_t>(rank), std::size_t{0});
}

inline std::size_t total(std::vector<std::size_t> const& lens) {
  return offset(lens, lens.size());
}

// all_reduce sums pending sums; V is reduced as P. Any n.
template <spmd::rank_context Rank>
bool all_reduce_ok(Rank& r) {
  using namespace spmd;
  std::size_t const n = r.axis_size("tp");
  std::size_t const me = r.coord("tp");
  Mat piece = block(me, 2, 0, 3);  // each rank's piece of the pending sum
  auto y = all_reduce<"tp", R>(r, T<P>{piece});
  auto z = all_reduce<"tp", V, I>(r, T<V>{piece});
  static_assert(std::is_same_v<decltype(y), T<R>> && std::is_same_v<decltype(z), T<I>>);
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j) {
      double expect = 0;
      for (std::size_t k = 0; k < n; ++k) expect += g(k + i, j);
      if (y.local()(i, j) != expect || z.local()(i, j) != expect) return false;
    }
  return true;
}

// reduce_scatter leaves each rank its chunk of the sum: along dim 1 with the (uneven) split
// `lens` (one extent per rank), along dim 0 evenly.
template <spmd::rank_context Rank>
bool reduce_scatter_ok(Rank& r, std::vector<std::size_t> const& lens) {
  using namespace spmd;
  std::size_t const n = r.axis_size("tp");
  std::size_t const me = r.coord("tp");
  // Each rank holds G scaled by (rank + 1); the sum is n (n + 1) / 2 G.
  Mat x = block(0, 4, 0, total(lens));
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] *= static_cast<double>(me + 1);
  auto cols = reduce_scatter<"tp", 1>(r, T<P>{x}, lens);
  auto rows = reduce_scatter<"tp", P, S<0>>(r, T<P>{block(0, 2 * n, 0, 2)});
  static_assert(std::is_same_v<decltype(cols), T<S<1>>> && std::is_same_v<decltype(rows), T<S<0>>>);
  Mat expect_cols = block(0, 4, offset(lens, me), lens[me]);
  for (std::size_t i = 0; i < expect_cols.size(); ++i) expect_cols.data()[i] *= static_cast<double>(n * (n + 1) / 2);
  Mat expect_rows = block(2 * me, 2, 0, 2);
  for (std::size_t i = 0; i < expect_rows.size(); ++i) expect_rows.data()[i] *= static_cast<double>(n);
  return cols.local() == expect_cols && rows.local() == expect_rows;
}

// all_gather concatenates shards along their dim: dim 1 with the (uneven) split `lens`, dim 0
// evenly, and a plain V along dim 1.
template <spmd::rank_context Rank>
bool all_gather_ok(Rank& r, std::vector<std::size_t> const& lens) {
  using namespace spmd;
  std::size_t const n = r.axis_size("tp");
  std::size_t const me = r.coord("tp");
  auto cols = all_gather<"tp", R>(r, T<S<1>>{block(0, 3, offset(lens, me), lens[me])}, lens);
  auto rows = all_gather<"tp", I>(r, T<S<0>>{block(2 * me, 2, 0, 5)});
  auto plain = all_gather<"tp", R, 1>(r, T<V>{block(0, 2, 3 * me, 3)});
  static_assert(std::is_same_v<decltype(cols), T<R>> && std::is_same_v<decltype(rows), T<I>> &&
                std::is_same_v<decltype(plain), T<R>>);
  return cols.local() == block(0, 3, 0, total(lens)) && rows.local() == block(0, 2 * n, 0, 5) &&
         plain.local() == block(0, 2, 0, 3 * n);
}

// all_gather_into and reduce_scatter_into write into a tensor of the result's type, the same
// values as all_gather and reduce_scatter, and keep its buffer from call to call: along dim 0
// (the buffer is the communicator's), along dim 1 with the (uneven) split `lens` (packed), and a
// plain V with the dim named.
template <spmd::rank_context Rank>
bool into_ok(Rank& r, std::vector<std::size_t> const& lens) {
  using namespace spmd;
  std::size_t const n = r.axis_size("tp");
  std::size_t const me = r.coord("tp");
  bool ok = true;
  T<R> rows(Mat({2 * n, 5}));
  double const* const rows_buffer = rows.local().data();
  for (int call = 0; call < 2; ++call) {  // the second call overwrites the first's result in place
    T<S<0>> const piece{block(2 * me + static_cast<std::size_t>(call), 2, 0, 5)};
    auto& same = all_gather_into<"tp">(r, piece, rows);
    ok = ok && &same == &rows && rows.local().data() == rows_buffer &&
         rows.local() == all_gather<"tp", R>(r, piece).local();
  }
  T<I> cols(Mat({3, total(lens)}));
  all_gather_into<"tp">(r, T<S<1>>{block(0, 3, offset(lens, me), lens[me])}, cols, lens);
  T<R> plain(Mat({2, 3 * n}));
  all_gather_into<"tp", 1>(r, T<V>{block(0, 2, 3 * me, 3)}, plain);
  ok = ok && cols.local() == block(0, 3, 0, total(lens)) && plain.local() == block(0, 2, 0, 3 * n);

  Mat x = block(0, 2 * n, 0, total(lens));
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] *= static_cast<double>(me + 1);
  T<S<0>> mine(Mat({2, total(lens)}));
  double const* const mine_buffer = mine.local().data();
  reduce_scatter_into<"tp">(r, T<P>{x}, mine);
  T<S<1>> cols_sum(Mat({2 * n, lens[me]}));
  reduce_scatter_into<"tp">(r, T<V>{x}, cols_sum, lens);
  ok = ok && mine.local().data() == mine_buffer && mine.local() == reduce_scatter<"tp", 0>(r, T<P>{x}).local() &&
       cols_sum.local() == reduce_scatter<"tp", 1>(r, T<P>{x}, lens).local();
  return ok;
}

// all_to_all moves the shard from one dim to another, and back. Any n.
template <spmd::rank_context Rank>
bool all_to_all_ok(Rank& r) {
  using namespace spmd;
  std::size_t const n = r.axis_size("tp");
  std::size_t const me = r.coord("tp");
  // G is (2n x 3n); rank i holds rows [2i, 2i + 2) and must end with columns [3i, 3i + 3).
  auto x = T<S<0>>{block(2 * me, 2, 0, 3 * n)};
  auto y = all_to_all<"tp", S<1>>(r, x);
  auto back = all_to_all<"tp", S<1>, S<0>>(r, y);
  static_assert(std::is_same_v<decltype(y), T<S<1>>>);
  return y.local() == block(0, 2 * n, 3 * me, 3) && back.local() == x.local();
}

// convert keeps the meaning: chunks, zeros on all ranks but 0, shards in zeros. Any n.
template <spmd::rank_context Rank>
bool convert_ok(Rank& r) {
  using namespace spmd;
  std::size_t const n = r.axis_size("tp");
  std::size_t const me = r.coord("tp");
  Mat const whole = block(0, 2 * n, 0, 3);
  auto shard = convert<"tp", R, S<0>>(r, T<R>{whole});
  auto ishard = convert<"tp", I, S<1>>(r, T<I>{block(0, 2, 0, 2 * n)});
  auto partial = convert<"tp", R, P>(r, T<R>{whole});
  auto ipartial = convert<"tp", I, P>(r, T<I>{whole}, expert);
  auto placed = convert<"tp", S<0>, P>(r, T<S<0>>{block(2 * me, 2, 0, 3)}, expert);
  auto entered = convert<"tp", I, R>(r, T<I>{whole});
  auto annotated = convert<"tp", V, S<0>>(r, T<V>{whole});
  Mat const zeros({2 * n, 3}, 0.0);
  Mat expect_placed = zeros;
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j) expect_placed(2 * me + i, j) = g(2 * me + i, j);
  return shard.local() == block(2 * me, 2, 0, 3) && ishard.local() == block(0, 2, 2 * me, 2) &&
         partial.local() == (me == 0 ? whole : zeros) && ipartial.local() == (me == 0 ? whole : zeros) &&
         placed.local() == expect_placed && entered.local() == whole && annotated.local() == whole;
}

// reinterpret keeps the data and changes only the type (no rank needed).
inline bool reinterpret_ok() {
  using namespace spmd;
  Mat const x = block(0, 2, 0, 2);
  auto p = reinterpret<"tp", V, P>(T<V>{x});
  auto v = reinterpret<"tp", I, V>(T<I>{x});
  auto rp = reinterpret<"tp", R, P>(T<R>{x}, expert);
  static_assert(std::is_same_v<decltype(p), T<P>>);
  static_assert(std::is_same_v<decltype(v), T<V>>);
  static_assert(std::is_same_v<decltype(rp), T<P>>);
  return p.local() == x && v.local() == x && rp.local() == x;
}

// A collective over two flattened axes orders ranks row-major in mesh order. On a (dp, tp) mesh
// of any sizes.
template <spmd::rank_context Rank>
bool flattened_order_ok(Rank& r) {
  using namespace spmd;
  using M2 = mesh<"dp", "tp">;
  using X = tensor<Mat, M2, layout<S<0>, S<0>>>;
  std::size_t const ranks = r.axis_size("dp") * r.axis_size("tp");
  std::size_t const flat = r.coord("dp") * r.axis_size("tp") + r.coord("tp");
  auto whole = all_gather<"dp,tp", R>(r, X{block(flat, 1, 0, 2)});
  static_assert(std::is_same_v<decltype(whole), tensor<Mat, M2, layout<R, R>>>);
  tensor<Mat, M2, layout<I, I>> into(Mat({ranks, 2}));
  all_gather_into<"dp,tp">(r, X{block(flat, 1, 0, 2)}, into);
  return whole.local() == block(0, ranks, 0, 2) && into.local() == whole.local();
}

// Fault: rank 1 disagrees about an uneven split. Rank i holds i + 1 rows; ranks other than 1
// claim the extents {1, 2, ..., n}, rank 1 claims {2, 2, ..., 2}. The all_gather must throw
// comm_error on every rank (threads: always; MPI: with the agreement check). Needs n >= 2.
template <spmd::rank_context Rank>
void all_gather_with_disagreeing_split(Rank& r) {
  using namespace spmd;
  std::size_t const n = r.axis_size("tp");
  std::size_t const me = r.coord("tp");
  std::vector<std::size_t> lens(n);
  for (std::size_t i = 0; i < n; ++i) lens[i] = me == 1 ? 2 : i + 1;
  auto y = all_gather<"tp", R>(r, T<S<0>>{block(0, me + 1, 0, 2)}, lens);
  (void)y;
}

// Fault: the output tensor of all_gather_into has the wrong shape (one row short): every rank
// throws std::invalid_argument before communicating ("... the output tensor has shape ...").
template <spmd::rank_context Rank>
void all_gather_into_wrong_shape(Rank& r) {
  using namespace spmd;
  std::size_t const n = r.axis_size("tp");
  T<R> out(Mat({2 * n - 1, 3}));
  all_gather_into<"tp">(r, T<S<0>>{block(0, 2, 0, 3)}, out);
}

// Fault: an extent (n + 1 rows) that does not split evenly over the n >= 2 ranks, with no split
// sizes: every rank throws comm_error ("... does not split evenly over n ranks; pass the per-rank
// split sizes").
template <spmd::rank_context Rank>
void reduce_scatter_uneven_without_sizes(Rank& r) {
  using namespace spmd;
  std::size_t const n = r.axis_size("tp");
  (void)reduce_scatter<"tp", 0>(r, T<P>{block(0, n + 1, 0, 2)});
}

// Faults about split sizes, and the messages every rank must throw (in the units the caller
// used: extents along the split dim, not element counts; the part after the rank's label, which
// also names the world rank when it differs). Each needs n >= 2 ranks on "tp".

// Split sizes {fill, fill, ...} for the n ranks of "tp", starting with `head` on the ranks for
// which `here` holds.
template <spmd::rank_context Rank>
std::vector<std::size_t> sizes_with(Rank& r, std::size_t fill, std::vector<std::size_t> const& head, bool here) {
  std::vector<std::size_t> lens(r.axis_size("tp"), fill);
  if (here) std::copy(head.begin(), head.end(), lens.begin());
  return lens;
}

// Rank 1 passes split sizes {2, 2, ...} to reduce_scatter, the others {3, 1, 2, 2, ...}.
template <spmd::rank_context Rank>
void reduce_scatter_with_disagreeing_split(Rank& r) {
  using namespace spmd;
  auto const lens = sizes_with(r, 2, {3, 1}, r.coord("tp") != 1);
  (void)reduce_scatter<"tp", 0>(r, T<P>{block(0, 2 * lens.size(), 0, 3)}, lens);
}
inline char const* reduce_scatter_with_disagreeing_split_message = "passed split sizes [2, 2";

// Rank i holds 3 - (i == 1) rows and passes no split sizes to all_gather: each rank takes its own
// extent for every rank's.
template <spmd::rank_context Rank>
void all_gather_uneven_without_sizes(Rank& r) {
  using namespace spmd;
  (void)all_gather<"tp", R>(r, T<S<0>>{block(0, r.coord("tp") == 1 ? 2 : 3, 0, 2)});
}
inline char const* all_gather_uneven_without_sizes_message = "passed no split sizes (so [2, 2";

// all_gather of shards whose other dim differs (rank 1: 4 columns, the others 3).
template <spmd::rank_context Rank>
void all_gather_other_dim_differs(Rank& r) {
  using namespace spmd;
  (void)all_gather<"tp", R>(r, T<S<0>>{block(0, 2, 0, r.coord("tp") == 1 ? 4 : 3)});
}
inline char const* all_gather_other_dim_differs_message = "holds a local tensor of shape [2, 4], rank 0 (tp=0";

// all_to_all S<0> -> S<1>: rank 1 splits dim 1 as {1, 3, 2, 2, ...}, the others {2, 2, ...}.
template <spmd::rank_context Rank>
void all_to_all_with_disagreeing_dst_split(Rank& r) {
  using namespace spmd;
  auto const dst = sizes_with(r, 2, {1, 3}, r.coord("tp") == 1);
  (void)all_to_all<"tp", S<1>>(r, T<S<0>>{block(0, 2, 0, 2 * dst.size())}, {}, dst);
}
inline char const* all_to_all_with_disagreeing_dst_split_message = "passed dst split sizes [1, 3";

// This rank's own entry of the split sizes is not its extent: thrown by that rank alone.
template <spmd::rank_context Rank>
void all_gather_sizes_contradict_shard(Rank& r) {
  using namespace spmd;
  (void)all_gather<"tp", R>(r, T<S<0>>{block(0, r.coord("tp") == 1 ? 3 : 2, 0, 2)}, sizes_with(r, 2, {}, false));
}

}  // namespace spmd_tests::values
