// Ndim-generic bodies of the global-view tests, shared by the threads unit tests
// (tests/unit/test_global.cpp) and the MPI tests (tests/mpi/global.cpp), on a (dp, tp) mesh of
// any sizes:
//  - round trips: for every spec of a matrix (each axis shards dim 0 or dim 1, in either order
//    when both shard one dim, or is R, I or P), distribute then full_tensor gives the matrix
//    back, and from_local accepts the piece;
//  - redistribute: for each case of `redistribute_cases`, the piece after redistribute equals the
//    piece distribute gives for the destination spec, and full_tensor is unchanged;
//  - ops: global ops on random data equal the serial ops on the full tensors.
// Each runs with even extents (12 x 12) and uneven ones (7 x 5).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <type_traits>
#include <utility>

#include <spmd/autograd.hpp>
#include <spmd/dense.hpp>
#include <spmd/global.hpp>
#include <spmd/spmd.hpp>

namespace spmd_tests::global_values {

using namespace spmd;

using Mesh = mesh<"dp", "tp">;
using Mat = local::dense<double, 2>;
template <class Spec>
using G = global_tensor<Mat, Mesh, Spec>;

// G(i, j) = 100 i + j + 1.
inline Mat matrix(std::size_t rows, std::size_t cols) {
  Mat g({rows, cols});
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) g(i, j) = 100.0 * static_cast<double>(i) + static_cast<double>(j) + 1.0;
  return g;
}

// The same random matrix on every rank.
inline Mat random_matrix(std::size_t rows, std::size_t cols, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> dist(0.0, 1.0);
  Mat g({rows, cols});
  for (std::size_t i = 0; i < g.size(); ++i) g.data()[i] = dist(gen);
  return g;
}

template <std::size_t Ndim>
bool near(local::dense<double, Ndim> const& a, local::dense<double, Ndim> const& b, double tol = 1e-9) {
  if (a.shape() != b.shape()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::abs(a.data()[i] - b.data()[i]) > tol * (1.0 + std::abs(b.data()[i]))) return false;
  return true;
}

inline constexpr std::size_t extents[2][2] = {{12, 12}, {7, 5}};

template <class... Ts>
struct list {};

// ---- round trips -----------------------------------------------------------------------------

// Every spec of a matrix on (dp, tp): the 25 DTensor-style placements pairs (S<0>, S<1>, R, I, P
// on each axis; both S<d> on one dim: dp outer) and the two specs with tp outer.
using all_specs =
    list<dtensor_spec<S<0>, S<0>>, dtensor_spec<S<0>, S<1>>, dtensor_spec<S<0>, R>, dtensor_spec<S<0>, I>,
         dtensor_spec<S<0>, P>, dtensor_spec<S<1>, S<0>>, dtensor_spec<S<1>, S<1>>, dtensor_spec<S<1>, R>,
         dtensor_spec<S<1>, I>, dtensor_spec<S<1>, P>, dtensor_spec<R, S<0>>, dtensor_spec<R, S<1>>, dtensor_spec<R, R>,
         dtensor_spec<R, I>, dtensor_spec<R, P>, dtensor_spec<I, S<0>>, dtensor_spec<I, S<1>>, dtensor_spec<I, R>,
         dtensor_spec<I, I>, dtensor_spec<I, P>, dtensor_spec<P, S<0>>, dtensor_spec<P, S<1>>, dtensor_spec<P, R>,
         dtensor_spec<P, I>, dtensor_spec<P, P>, spec<on<"tp", "dp">, on<>>, spec<on<>, on<"tp", "dp">>>;
inline constexpr int spec_count = 27;

// Round trips of every spec, with both extents; returns the number of failures on this rank.
template <class Rank, class... Specs>
int wrong_round_trips(Rank& r, list<Specs...>) {
  int wrong = 0;
  auto one = [&]<class Spec>(std::type_identity<Spec>) {
    using X = G<Spec>;
    for (auto const& e : extents) {
      Mat const g = matrix(e[0], e[1]);
      X const x = distribute<X>(r, g);
      bool ok = x.global_shape() == std::array<std::size_t, 2>{e[0], e[1]};
      ok = ok && near(full_tensor(r, x), g);
      X const back = from_local<X>(r, to_local(x), x.global_shape());  // the piece is this rank's block
      ok = ok && near(back.local(), x.local());
      wrong += ok ? 0 : 1;
    }
  };
  (one(std::type_identity<Specs>{}), ...);
  return wrong;
}
template <class Rank>
int wrong_round_trips(Rank& r) {
  return wrong_round_trips(r, all_specs{});
}

// ---- redistribute ----------------------------------------------------------------------------

template <class Src, class Dst>
struct redistribution {
  using from = G<Src>;
  using to = Dst;
};

using S0dt = spec<on<"dp", "tp">, on<>>;
using S0td = spec<on<"tp", "dp">, on<>>;
using Whole = spec<on<>, on<>, at<"dp", R>, at<"tp", R>>;
using Cols_dp_Rows_tp = spec<on<"dp">, on<"tp">>;
using Cols_tp_Rows_dp = spec<on<"tp">, on<"dp">>;
using Sdp_Ptp = spec<on<"dp">, on<>, at<"tp", P>>;
using Sdp_Rtp = spec<on<"dp">, on<>, at<"tp", R>>;
using Sdp_Itp = spec<on<"dp">, on<>, at<"tp", I>>;
using PP = spec<on<>, on<>, at<"dp", P>, at<"tp", P>>;
using II = spec<on<>, on<>, at<"dp", I>, at<"tp", I>>;
using IP = spec<on<>, on<>, at<"dp", I>, at<"tp", P>>;
using Pdp_Rtp = spec<on<>, on<>, at<"dp", P>, at<"tp", R>>;

// The cases and the plan each must have (global::plan_of, printed).
using redistribute_cases =
    list<redistribution<S0dt, S0td>, redistribution<S0dt, Whole>, redistribution<S0td, Whole>,
         redistribution<Cols_dp_Rows_tp, Cols_tp_Rows_dp>, redistribution<Sdp_Ptp, Sdp_Rtp>, redistribution<PP, Whole>,
         redistribution<PP, S0dt>, redistribution<PP, S0td>, redistribution<Sdp_Ptp, S0dt>,
         redistribution<Sdp_Ptp, Cols_dp_Rows_tp>, redistribution<Cols_dp_Rows_tp, Sdp_Rtp>,
         redistribution<Cols_dp_Rows_tp, S0dt>, redistribution<S0dt, Cols_dp_Rows_tp>,
         redistribution<Whole, Cols_dp_Rows_tp>, redistribution<Whole, S0td>, redistribution<Sdp_Rtp, Pdp_Rtp>,
         redistribution<II, Sdp_Itp>, redistribution<Sdp_Itp, II>, redistribution<II, IP>,
         redistribution<Cols_tp_Rows_dp, Cols_dp_Rows_tp>, redistribution<S0td, S0td>, redistribution<S0dt, Sdp_Ptp>>;
inline constexpr std::string_view redistribute_plans[] = {
    "all_gather(dp,tp: S(0)->R); convert(tp: R->S(0)); convert(dp: R->S(0))",
    "all_gather(dp,tp: S(0)->R)",
    "all_gather(dp: S(0)->R); all_gather(tp: S(0)->R)",
    "all_gather(dp: S(0)->R); all_to_all(tp: S(1)->S(0)); convert(dp: R->S(1))",
    "all_reduce(tp: P->R)",
    "all_reduce(dp,tp: P->R)",
    "reduce_scatter(dp,tp: P->S(0))",
    "reduce_scatter(tp: P->S(0)); reduce_scatter(dp: P->S(0))",
    "reduce_scatter(tp: P->S(0))",
    "reduce_scatter(tp: P->S(1))",
    "all_gather(tp: S(1)->R)",
    "all_to_all(tp: S(1)->S(0))",
    "all_to_all(tp: S(0)->S(1))",
    "convert(dp: R->S(0)); convert(tp: R->S(1))",
    "convert(tp: R->S(0)); convert(dp: R->S(0))",
    "all_gather(dp: S(0)->R); convert(dp: R->P)",
    "convert(dp: I->S(0))",
    "all_gather(dp: S(0)->I)",
    "convert(tp: I->R); convert(tp: R->P)",
    "all_gather(tp: S(0)->R); all_to_all(dp: S(1)->S(0)); convert(tp: R->S(1))",
    "(no steps)",
    "all_gather(tp: S(0)->R); convert(tp: R->P)",
};
inline constexpr int redistribute_case_count = 22;

// Each case with both extents: the piece after redistribute is the destination's piece, and
// the whole tensor is unchanged. Returns the number of failures on this rank.
template <class Rank, class... Cases>
int wrong_redistributions(Rank& r, list<Cases...>) {
  int wrong = 0;
  auto one = [&]<class Case>(std::type_identity<Case>) {
    using X = typename Case::from;
    using Y = global_like_t<X, typename Case::to>;
    for (auto const& e : extents) {
      Mat const g = matrix(e[0], e[1]);
      auto const y = global::redistribute<typename Case::to>(r, distribute<X>(r, g));
      static_assert(std::is_same_v<std::remove_cvref_t<decltype(y)>, Y>);
      bool const ok = near(y.local(), distribute<Y>(r, g).local()) && near(full_tensor(r, y), g);
      wrong += ok ? 0 : 1;
    }
  };
  (one(std::type_identity<Cases>{}), ...);
  return wrong;
}
template <class Rank>
int wrong_redistributions(Rank& r) {
  return wrong_redistributions(r, redistribute_cases{});
}

// ---- gradients through redistribute -----------------------------------------------------------

// Cases whose destination is sharded or I on every axis, so that sum_all(y * c) is a loss (P or I
// on every axis): the gradient of x must mean c, whatever the plan in between.
using gradient_cases =
    list<redistribution<S0dt, S0td>, redistribution<Cols_dp_Rows_tp, Cols_tp_Rows_dp>, redistribution<PP, S0dt>,
         redistribution<PP, S0td>, redistribution<Sdp_Ptp, S0dt>, redistribution<Sdp_Ptp, Cols_dp_Rows_tp>,
         redistribution<Cols_dp_Rows_tp, S0dt>, redistribution<S0dt, Cols_dp_Rows_tp>,
         redistribution<Whole, Cols_dp_Rows_tp>, redistribution<Whole, S0td>, redistribution<II, Sdp_Itp>,
         redistribution<Sdp_Itp, II>, redistribution<Cols_tp_Rows_dp, Cols_dp_Rows_tp>, redistribution<S0td, S0td>>;
inline constexpr int gradient_case_count = 14;

// Each case with both extents: loss = sum_all(redistribute(x) * c) means <x, c>, so the
// gradient of x (in the gradient spec: R <-> P) must mean c. Returns the failures on this rank.
template <class Rank, class... Cases>
int wrong_gradients(Rank& r, list<Cases...>) {
  int wrong = 0;
  auto one = [&]<class Case>(std::type_identity<Case>) {
    using X = typename Case::from;
    using Y = global_like_t<X, typename Case::to>;
    for (auto const& e : extents) {
      autograd::tape t;
      Mat const c = random_matrix(e[0], e[1], 7);
      auto const x = global::variable(t, distribute<X>(r, matrix(e[0], e[1])));
      auto const y = global::redistribute<typename Case::to>(r, x);
      auto const loss = sum_all(y * global::constant(distribute<Y>(r, c)));
      global::backward(loss);
      wrong += near(full_tensor(r, global::grad(x)), c) ? 0 : 1;
    }
  };
  (one(std::type_identity<Cases>{}), ...);
  return wrong;
}
template <class Rank>
int wrong_gradients(Rank& r) {
  return wrong_gradients(r, gradient_cases{});
}

// ---- ops against the serial ops --------------------------------------------------------------

// The Megatron MLP, a broadcast bias, a reduction over a sharded dim, a transpose and a softmax,
// on global tensors and on the full matrices; returns the number of mismatches on this rank.
template <class Rank>
int wrong_ops(Rank& r) {
  int wrong = 0;
  for (std::size_t const rows : {12u, 7u}) {
    std::size_t const hidden = 6, ffn = 12 + (rows % 2);  // an uneven ffn extent with the uneven batch
    Mat const x = random_matrix(rows, hidden, 1), w1 = random_matrix(hidden, ffn, 2),
              w2 = random_matrix(ffn, hidden, 3);
    Mat const bias = random_matrix(1, hidden, 4);
    using X = G<Sdp_Itp>;
    using W1 = G<spec<on<>, on<"tp">, at<"dp", R>>>;
    using W2 = G<spec<on<"tp">, on<>, at<"dp", R>>>;
    using B = G<spec<on<>, on<>, at<"dp", R>, at<"tp", I>>>;
    auto const gx = distribute<X>(r, x);
    auto const gw1 = distribute<W1>(r, w1);
    auto const gw2 = distribute<W2>(r, w2);
    auto const gb = distribute<B>(r, bias);
    // The MLP: R on tp for the column-parallel input (its gradient would be P), as Megatron.
    auto const xr = global::redistribute<Sdp_Rtp>(r, gx, expert);
    auto const y = matmul(gelu(matmul(xr, gw1)), gw2, out_partial<"tp">);
    Mat const serial = local::matmul(local::gelu(local::matmul(x, w1)), w2);
    wrong += near(full_tensor(r, y), serial, 1e-10) ? 0 : 1;
    // A whole bias of extent 1 broadcasts along the sharded batch.
    wrong += near(full_tensor(r, gx + gb), local::add(x, bias)) ? 0 : 1;
    // A sum over the sharded batch dim is a pending sum on dp.
    auto const s = sum<0>(gx, out_partial<"dp">);
    wrong += near(full_tensor(r, s), local::sum(x, 0)) ? 0 : 1;
    // A softmax along the whole dim, then the transpose: the spec moves to dim 1.
    auto const t = transpose<0, 1>(softmax<1>(gx));
    wrong += near(full_tensor(r, t), local::transpose(local::softmax(x, 1), 0, 1)) ? 0 : 1;
    // The batch sharded on (tp, dp), through an elementwise chain and a matmul by a whole weight.
    Mat const w = random_matrix(hidden, hidden, 5);
    auto const xt = global::redistribute<spec<on<"tp", "dp">, on<>>>(r, gx);
    auto const z = matmul(exp(xt) * 0.5, distribute<G<Whole>>(r, w));
    wrong += near(full_tensor(r, z), local::matmul(local::mul(local::exp(x), 0.5), w), 1e-10) ? 0 : 1;
  }
  return wrong;
}

}  // namespace spmd_tests::global_values
