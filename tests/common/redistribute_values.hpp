// Ndim-generic bodies of the redistribute value tests, shared by the threads unit tests
// (tests/unit/test_redistribute.cpp) and the MPI tests (tests/mpi/values.cpp): on a (dp, tp) mesh
// of any sizes dividing 12, from every layout made of R, P, S<0>, S<1> to every layout made of R,
// S<0>, S<1>, the result must mean the same global matrix as the input
// (spmd::testing::global_value).
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

#include <spmd/comm/redistribute.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/testing/global.hpp>

namespace spmd_tests::redistribution {

using namespace spmd;

using Mat = local::dense<double, 2>;
using Mesh = mesh<"dp", "tp">;
template <class Pdp, class Ptp>
using T = tensor<Mat, Mesh, layout<Pdp, Ptp>>;

// The global matrix: G(i, j) = 100 i + j + 1, 12 x 12 (divisible by 2, 3, 4 and 6).
constexpr std::size_t n = 12;
inline Mat global_matrix() {
  Mat g({n, n});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) g(i, j) = 100.0 * static_cast<double>(i) + static_cast<double>(j) + 1.0;
  return g;
}

// This rank's piece of G under layout<Pdp, Ptp>, axes taken in mesh order (the first axis holds
// the outermost chunks of a dim both shard): S<d> keeps chunk coord along d, P keeps the share
// (coord + 1) / (1 + 2 + ... + size) of the value (every rank holds a nonzero part).
template <class Pl>
Mat piece(Mat x, std::size_t coord, std::size_t size) {
  if constexpr (shard_placement<Pl>) {
    auto shape = x.shape();
    std::size_t const len = shape[Pl::dim] / size;
    shape[Pl::dim] = len;
    Mat out(shape);
    for (std::size_t i = 0; i < shape[0]; ++i)
      for (std::size_t j = 0; j < shape[1]; ++j)
        out(i, j) = Pl::dim == 0 ? x(coord * len + i, j) : x(i, coord * len + j);
    return out;
  } else if constexpr (std::is_same_v<Pl, P>) {
    double const share = static_cast<double>(coord + 1) / static_cast<double>(size * (size + 1) / 2);
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] *= share;
    return x;
  } else {
    return x;
  }
}

template <class Pdp, class Ptp, class Rank>
T<Pdp, Ptp> make(Rank& r) {
  Mat x = piece<Pdp>(global_matrix(), r.coord("dp"), r.axis_size("dp"));
  return T<Pdp, Ptp>{piece<Ptp>(std::move(x), r.coord("tp"), r.axis_size("tp"))};
}

inline bool near(Mat const& a, Mat const& b) {
  if (a.shape() != b.shape()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::abs(a.data()[i] - b.data()[i]) > 1e-9 * (1.0 + std::abs(b.data()[i]))) return false;
  return true;
}

template <class... Ts>
struct list {};
using sources = list<R, P, S<0>, S<1>>;
using destinations = list<R, S<0>, S<1>>;

// Every (source, destination) pair of layouts: redistribute, then the global value must be G.
// Returns the number of wrong pairs on this rank.
template <class Sdp, class Stp, class Rank, class... Dtp>
int check_to(Rank& r, list<Dtp...>) {
  int bad = 0;
  auto one = [&]<class Ddp>(Ddp*) {
    auto x = make<Sdp, Stp>(r);
    ((bad += near(testing::global_value(r, redistribute<layout<Ddp, Dtp>>(r, x)), global_matrix()) ? 0 : 1), ...);
  };
  [&]<class... Dd>(list<Dd...>) { (one(static_cast<Dd*>(nullptr)), ...); }(destinations{});
  return bad;
}

template <class Rank, class... Sdp>
int check_all(Rank& r, list<Sdp...>) {
  int bad = 0;
  auto from_dp = [&]<class A>(A*) {
    [&]<class... Stp>(list<Stp...>) { ((bad += check_to<A, Stp>(r, destinations{})), ...); }(sources{});
  };
  (from_dp(static_cast<Sdp*>(nullptr)), ...);
  return bad;
}

/// The number of (source, destination) pairs of layouts checked: 4 x 4 sources, 3 x 3 destinations.
inline constexpr int pairs = 4 * 4 * 3 * 3;

/// The number of (source, destination) pairs whose result is wrong on this rank.
template <class Rank>
int wrong_pairs(Rank& r) {
  return check_all(r, sources{});
}

// Uneven shards. Dim 0 of the global matrix is split over dp, each dp chunk i over tp, with
// extents e(i, j) = (i + j) % 3 + 1 (so the tp split differs from one dp chunk to the next);
// dim 1 (for S<1> on tp) into c(j) = (j + 2) % 3 + 1 columns.
struct uneven_split {
  std::vector<std::size_t> dp;        // dp's extents along dim 0 (its chunks)
  std::vector<std::size_t> tp_in_dp;  // tp's extents within this rank's dp chunk
  std::vector<std::size_t> tp_whole;  // tp's extents of the whole dim 0 (when dp does not shard it)
  std::vector<std::size_t> tp_cols;   // tp's extents along dim 1
  std::size_t rows = 0, cols = 0;
};

template <class Rank>
uneven_split uneven_split_of(Rank& r) {
  std::size_t const ndp = r.axis_size("dp"), ntp = r.axis_size("tp");
  uneven_split u;
  u.dp.assign(ndp, 0);
  u.tp_whole.assign(ntp, 0);
  for (std::size_t i = 0; i < ndp; ++i)
    for (std::size_t j = 0; j < ntp; ++j) {
      std::size_t const e = (i + j) % 3 + 1;
      u.dp[i] += e;
      u.tp_whole[j] += e;
      u.rows += e;
      if (i == r.coord("dp")) u.tp_in_dp.push_back(e);
    }
  for (std::size_t j = 0; j < ntp; ++j) u.tp_cols.push_back((j + 2) % 3 + 1);
  for (auto c : u.tp_cols) u.cols += c;
  return u;
}

inline std::size_t prefix(std::vector<std::size_t> const& lens, std::size_t k) {
  std::size_t o = 0;
  for (std::size_t i = 0; i < k; ++i) o += lens[i];
  return o;
}

// Rows [r0, r0 + nr) and columns [c0, c0 + nc) of a global matrix G(i, j) = 100 i + j + 1.
inline Mat uneven_block(std::size_t r0, std::size_t nr, std::size_t c0, std::size_t nc) {
  Mat m({nr, nc});
  for (std::size_t i = 0; i < nr; ++i)
    for (std::size_t j = 0; j < nc; ++j)
      m(i, j) = 100.0 * static_cast<double>(r0 + i) + static_cast<double>(c0 + j) + 1.0;
  return m;
}

/// Round trips through redistribute with uneven split sizes (spmd::split_on), on a (dp, tp) mesh
/// of any sizes: every result must hold this rank's piece of G. Returns the number of wrong ones.
template <class Rank>
int wrong_uneven_round_trips(Rank& r) {
  auto const u = uneven_split_of(r);
  std::size_t const di = r.coord("dp"), tj = r.coord("tp");
  int bad = 0;
  auto expect = [&](auto const& x, Mat const& m) { bad += near(x.local(), m) ? 0 : 1; };
  Mat const whole = uneven_block(0, u.rows, 0, u.cols);
  Mat const rows_tp = uneven_block(prefix(u.tp_whole, tj), u.tp_whole[tj], 0, u.cols);
  Mat const cols_tp = uneven_block(0, u.rows, prefix(u.tp_cols, tj), u.tp_cols[tj]);
  Mat const nested = uneven_block(prefix(u.dp, di) + prefix(u.tp_in_dp, tj), u.tp_in_dp[tj], 0, u.cols);
  // tp: S<0> -> R (all_gather) -> S<0> (convert).
  T<R, S<0>> const a{rows_tp};
  auto const a_whole = redistribute<layout<R, R>>(r, a, split_on<"tp">(u.tp_whole));
  expect(a_whole, whole);
  expect(redistribute<layout<R, S<0>>>(r, a_whole, split_on<"tp">(u.tp_whole)), rows_tp);
  // tp: S<0> -> S<1> (all_to_all: both splits) and back.
  auto const a_cols = redistribute<layout<R, S<1>>>(r, a, split_on<"tp">(u.tp_whole, u.tp_cols));
  expect(a_cols, cols_tp);
  expect(redistribute<layout<R, S<0>>>(r, a_cols, split_on<"tp">(u.tp_cols, u.tp_whole)), rows_tp);
  // dp and tp both shard dim 0: gathered one axis per step (tp first), split dp first.
  T<S<0>, S<0>> const b{nested};
  auto const b_whole = redistribute<layout<R, R>>(r, b, split_on<"dp">(u.dp), split_on<"tp">(u.tp_in_dp));
  expect(b_whole, whole);
  expect(redistribute<layout<S<0>, S<0>>>(r, b_whole, split_on<"tp">(u.tp_in_dp), split_on<"dp">(u.dp)), nested);
  // dp leaves dim 0 to tp alone: tp is gathered (its split within the dp chunk), then split again
  // over the whole dim.
  expect(redistribute<layout<R, S<0>>>(r, b, split_on<"dp">(u.dp), split_on<"tp">(u.tp_in_dp, u.tp_whole)), rows_tp);
  // A pending sum reduce_scattered into uneven shards.
  T<R, P> const c{tj == 0 ? whole : Mat(whole.shape(), 0.0)};
  expect(redistribute<layout<R, S<0>>>(r, c, split_on<"tp">(u.tp_whole)), rows_tp);
  return bad;
}

/// The number of round trips wrong_uneven_round_trips checks.
inline constexpr int uneven_round_trips = 8;

}  // namespace spmd_tests::redistribution
