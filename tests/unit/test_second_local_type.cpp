// spmd::tensor wraps any local tensor type that models the concepts: the Megatron MLP block,
// forward and backward with autograd on a dp x tp mesh of threads, runs on local::dense and on
// user::colmajor (tests/common/colmajor.hpp: column-major data, kernels of its own) and gives
// the same output and gradients, which are also the serial ones.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include <spmd/autograd.hpp>
#include <spmd/local/differentiable.hpp>
#include <spmd/runtime/threads.hpp>

#include "../common/colmajor.hpp"

using namespace spmd;

namespace {

using Mat = local::dense<double, 2>;
using Col = user::colmajor<double>;

// What each layer needs (docs/local_tensors.md): both types are wrapped, moved by all_reduce and
// differentiated; only dense may be cut into shards by the collectives.
static_assert(local_tensor<Mat> && buffer_tensor<Mat> && row_major_tensor<Mat> && differentiable_tensor<Mat>);
static_assert(local_tensor<Col> && buffer_tensor<Col> && differentiable_tensor<Col>);
static_assert(!row_major_tensor<Col> && row_major_tensor<user::colmajor<double, 1>>);

// The whole problem: tokens x hidden input and target, hidden x ffn and ffn x hidden weights.
constexpr std::size_t tokens = 6, hidden = 4, ffn = 8;

Mat filled(std::size_t rows, std::size_t cols, double scale, double shift) {
  Mat m({rows, cols});
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = scale * std::sin(0.7 * static_cast<double>(i) + shift);
  return m;
}

// Rows [r0, r0 + nr) and columns [c0, c0 + nc) of m.
Mat block(Mat const& m, std::size_t r0, std::size_t nr, std::size_t c0, std::size_t nc) {
  Mat out({nr, nc});
  for (std::size_t i = 0; i < nr; ++i)
    for (std::size_t j = 0; j < nc; ++j) out(i, j) = m(r0 + i, c0 + j);
  return out;
}

// A matrix as the local type L, element by element (the memory orders differ), and back.
template <class L>
L to_local(Mat const& m) {
  L out({m.extent(0), m.extent(1)});
  for (std::size_t i = 0; i < m.extent(0); ++i)
    for (std::size_t j = 0; j < m.extent(1); ++j) out(i, j) = m(i, j);
  return out;
}
template <class L>
Mat to_dense(L const& x) {
  Mat out({x.shape()[0], x.shape()[1]});
  for (std::size_t i = 0; i < out.extent(0); ++i)
    for (std::size_t j = 0; j < out.extent(1); ++j) out(i, j) = x(i, j);
  return out;
}

double max_diff(Mat const& a, Mat const& b) {
  if (a.shape() != b.shape()) return INFINITY;
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::fmax(d, std::fabs(a.data()[i] - b.data()[i]));
  return d;
}

struct inputs {
  Mat x = filled(tokens, hidden, 1.0, 0.1), target = filled(tokens, hidden, 1.0, 0.4);
  Mat w1 = filled(hidden, ffn, 0.5, 0.2), b1 = filled(1, ffn, 0.3, 0.5), w2 = filled(ffn, hidden, 0.5, 0.3);
};

// Every rank's pieces, slot dp_coord * tp + tp_coord: the block's output, the input gradient,
// the parameter gradients after the data-parallel all_reduce, and the rank's loss.
struct outcome {
  std::size_t dp = 0, tp = 0;
  std::vector<Mat> y, gx, gw1, gb1, gw2;
  std::vector<double> loss;
};

// y = gelu(x @ w1 + b1) @ w2 on a dp x tp mesh: w1 and b1 column-parallel (S<1> on tp), w2
// row-parallel (S<0>, out_partial<"tp">, then all_reduce<"tp", I>); x and the target are this dp
// rank's tokens. loss = 0.5 sum (y - target)^2, a pending sum over dp.
template <class L>
outcome run_mlp(std::size_t dp, std::size_t tp, inputs const& in) {
  using M = mesh<"dp", "tp">;
  using Act = tensor<L, M, layout<V, I>>;
  using ColW = tensor<L, M, layout<R, S<1>>>;
  using RowW = tensor<L, M, layout<R, S<0>>>;
  outcome out{dp, tp, {}, {}, {}, {}, {}, {}};
  for (auto* v : {&out.y, &out.gx, &out.gw1, &out.gb1, &out.gw2}) v->resize(dp * tp);
  out.loss.resize(dp * tp);
  threads::run({{"dp", dp}, {"tp", tp}}, [&](threads::rank& r) {
    std::size_t const d = r.coord("dp"), t = r.coord("tp"), n = tokens / dp, h = ffn / tp, slot = d * tp + t;
    autograd::tape tape;
    autograd::parameter<Act> x{Act{to_local<L>(block(in.x, d * n, n, 0, hidden))}};
    autograd::var<Act> const target{Act{to_local<L>(block(in.target, d * n, n, 0, hidden))}};
    autograd::parameter<ColW> w1{ColW{to_local<L>(block(in.w1, 0, hidden, t * h, h))}};
    autograd::parameter<ColW> b1{ColW{to_local<L>(block(in.b1, 0, 1, t * h, h))}};
    autograd::parameter<RowW> w2{RowW{to_local<L>(block(in.w2, t * h, h, 0, hidden))}};

    auto const xr = autograd::convert<"tp", I, R>(r, x.on(tape));                    // (V, R)
    auto const a = autograd::gelu(autograd::matmul(xr, w1.on(tape)) + b1.on(tape));  // (V, S1)
    auto const yp = autograd::matmul(a, w2.on(tape), out_partial<"tp">);             // (V, P)
    auto const y = autograd::all_reduce<"tp", I>(r, yp);                             // (V, I)
    auto const e = y - target;
    auto const loss = autograd::reinterpret<"dp", V, P>(r, autograd::sum_all(e * e) * 0.5);  // (P, I)
    autograd::backward(loss);

    static_assert(std::is_same_v<std::remove_cvref_t<decltype(y.value())>, Act>);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(x.grad())>, Act>);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(w1.grad())>, tensor<L, M, layout<P, S<1>>>>);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(w2.grad())>, tensor<L, M, layout<P, S<0>>>>);
    // The data-parallel gradient sync.
    auto const g1 = all_reduce<"dp", R>(r, w1.grad());
    auto const gb = all_reduce<"dp", R>(r, b1.grad());
    auto const g2 = all_reduce<"dp", R>(r, w2.grad());
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(g1)>, ColW>);

    out.y[slot] = to_dense(y.value().local());
    out.gx[slot] = to_dense(x.grad().local());
    out.gw1[slot] = to_dense(g1.local());
    out.gb1[slot] = to_dense(gb.local());
    out.gw2[slot] = to_dense(g2.local());
    out.loss[slot] = loss.value().local()(0, 0);
  });
  return out;
}

// The whole value of `count` pieces joined along `dim`.
Mat join(std::vector<Mat> const& pieces, std::size_t count, std::size_t dim) {
  Mat whole = pieces[0];
  for (std::size_t t = 1; t < count; ++t) {
    Mat const& p = pieces[t];
    std::size_t const r0 = dim == 0 ? whole.extent(0) : 0, c0 = dim == 1 ? whole.extent(1) : 0;
    Mat next({dim == 0 ? r0 + p.extent(0) : whole.extent(0), dim == 1 ? c0 + p.extent(1) : whole.extent(1)});
    for (std::size_t i = 0; i < whole.extent(0); ++i)
      for (std::size_t j = 0; j < whole.extent(1); ++j) next(i, j) = whole(i, j);
    for (std::size_t i = 0; i < p.extent(0); ++i)
      for (std::size_t j = 0; j < p.extent(1); ++j) next(r0 + i, c0 + j) = p(i, j);
    whole = next;
  }
  return whole;
}
// The whole value of (R, S<dim>) pieces: the tp pieces of dp rank 0 joined along dim.
Mat whole_shard(outcome const& o, std::vector<Mat> const& pieces, std::size_t dim) {
  return join(pieces, o.tp, dim);
}
// The whole value of (V, I) pieces: the dp ranks' tokens (tp rank 0) stacked.
Mat whole_tokens(outcome const& o, std::vector<Mat> const& pieces) {
  std::vector<Mat> rows;
  for (std::size_t d = 0; d < o.dp; ++d) rows.push_back(pieces[d * o.tp]);
  return join(rows, o.dp, 0);
}

}  // namespace

TEST_CASE("a second local tensor type: the tensor-parallel MLP, forward and backward, equals local::dense",
          "[local][autograd]") {
  inputs const in;
  outcome const dense = run_mlp<Mat>(2, 2, in);
  outcome const col = run_mlp<Col>(2, 2, in);
  for (std::size_t slot = 0; slot < 4; ++slot) {
    INFO("rank (dp, tp) = (" << slot / 2 << ", " << slot % 2 << ")");
    CHECK(max_diff(col.y[slot], dense.y[slot]) < 1e-12);
    CHECK(max_diff(col.gx[slot], dense.gx[slot]) < 1e-12);
    CHECK(max_diff(col.gw1[slot], dense.gw1[slot]) < 1e-12);
    CHECK(max_diff(col.gb1[slot], dense.gb1[slot]) < 1e-12);
    CHECK(max_diff(col.gw2[slot], dense.gw2[slot]) < 1e-12);
    CHECK(std::fabs(col.loss[slot] - dense.loss[slot]) < 1e-12);
  }
  // The pieces are not zero by accident: the gradients have weight.
  CHECK(max_diff(col.gw1[0], Mat({hidden, ffn / 2}, 0.0)) > 1e-3);
  CHECK(max_diff(col.gb1[0], Mat({1, ffn / 2}, 0.0)) > 1e-3);
}

TEST_CASE("a second local tensor type: its sharded MLP gives the serial output and gradients", "[local][autograd]") {
  inputs const in;
  outcome const serial = run_mlp<Mat>(1, 1, in);
  outcome const col = run_mlp<Col>(2, 2, in);
  CHECK(max_diff(whole_tokens(col, col.y), serial.y[0]) < 1e-12);
  CHECK(max_diff(whole_tokens(col, col.gx), serial.gx[0]) < 1e-12);
  CHECK(max_diff(whole_shard(col, col.gw1, 1), serial.gw1[0]) < 1e-12);
  CHECK(max_diff(whole_shard(col, col.gb1, 1), serial.gb1[0]) < 1e-12);
  CHECK(max_diff(whole_shard(col, col.gw2, 0), serial.gw2[0]) < 1e-12);
  CHECK(std::fabs(col.loss[0] + col.loss[2] - serial.loss[0]) < 1e-12);  // the dp ranks' pending sum
  // The tp ranks of an I value agree.
  CHECK(max_diff(col.gx[0], col.gx[1]) == 0.0);
}

TEST_CASE("a second local tensor type: its kernels agree with local::dense", "[local]") {
  Mat const a = filled(2, 3, 1.0, 0.1), b = filled(3, 4, 1.0, 0.2), row = filled(1, 3, 1.0, 0.3);
  Col const ca = to_local<Col>(a), cb = to_local<Col>(b), crow = to_local<Col>(row);
  CHECK(max_diff(to_dense(user::matmul(ca, cb)), local::matmul(a, b)) < 1e-14);
  CHECK(max_diff(to_dense(user::transpose(ca, 0, 1)), local::transpose(a, 0, 1)) == 0.0);
  CHECK(max_diff(to_dense(user::reshape(ca, std::array<std::size_t, 2>{3, 2})),
                 local::reshape(a, std::array<std::size_t, 2>{3, 2})) == 0.0);
  CHECK(max_diff(to_dense(user::add(ca, crow)), local::add(a, row)) == 0.0);  // broadcast rows
  CHECK(max_diff(to_dense(user::sub(2.0, ca)), local::sub(2.0, a)) == 0.0);
  CHECK(max_diff(to_dense(user::sum_to_shape(ca, {1, 3})), local::sum_to_shape(a, {1, 3})) < 1e-15);
  CHECK(max_diff(to_dense(user::unsqueeze(user::sum(ca, 1), 1)), local::unsqueeze(local::sum(a, 1), 1)) < 1e-15);
  CHECK(max_diff(to_dense(user::gelu(ca)), local::gelu(a)) < 1e-15);
  // data() is column-major: the element (1, 0) comes second.
  CHECK(ca.data()[1] == a(1, 0));
}

TEST_CASE("a second local tensor type: the collectives that need only a buffer_tensor move its data", "[local]") {
  using M = mesh<"tp">;
  std::vector<Mat> summed(2), zeroed(2);
  threads::run({{"tp", 2}}, [&](threads::rank& r) {
    std::size_t const t = r.coord("tp");
    // Each rank's term of a pending sum, column-major in memory.
    tensor<Col, M, layout<P>> const p{to_local<Col>(filled(2, 3, 1.0 + static_cast<double>(t), 0.1))};
    auto const whole = redistribute<layout<R>>(r, p);  // all_reduce: element by element
    auto const again = convert<"tp", R, P>(r, whole);  // rank 0 keeps the value, rank 1 holds zeros
    summed[t] = to_dense(whole.local());
    zeroed[t] = to_dense(again.local());
  });
  Mat expected = filled(2, 3, 1.0, 0.1);
  for (std::size_t i = 0; i < expected.size(); ++i) expected.data()[i] *= 3.0;  // (1 + 2) sin(...)
  CHECK(max_diff(summed[0], expected) < 1e-15);
  CHECK(max_diff(summed[1], expected) < 1e-15);
  CHECK(max_diff(zeroed[0], expected) < 1e-15);
  CHECK(max_diff(zeroed[1], Mat({2, 3}, 0.0)) == 0.0);
}
