// Rank-generic bodies of the redistribute value tests, shared by the threads unit tests
// (tests/unit/test_redistribute.cpp) and the MPI tests (tests/mpi/values.cpp): on a (dp, tp) mesh
// of any sizes dividing 12, from every layout made of R, P, S<0>, S<1> to every layout made of R,
// S<0>, S<1>, the result must mean the same global matrix as the input
// (spmd::testing::global_value).
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>
#include <utility>

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

}  // namespace spmd_tests::redistribution
