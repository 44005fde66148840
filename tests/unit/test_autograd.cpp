// Typed autograd: gradient values against finite differences and against a serial run, the
// gradient types (grad_t of every input), fan-out accumulation and the loss seed.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <vector>

#include <spmd/autograd.hpp>
#include <spmd/runtime/threads.hpp>
#include <spmd/spmd.hpp>

using namespace spmd;
using namespace spmd::autograd;

namespace {

using Mat = local::dense<double, 2>;

Mat filled(std::size_t rows, std::size_t cols, double scale, double shift) {
  Mat m({rows, cols});
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = scale * std::sin(0.7 * static_cast<double>(i) + shift);
  return m;
}

// Columns [c0, c0 + n) / rows [r0, r0 + n) of m.
Mat cols(Mat const& m, std::size_t c0, std::size_t n) {
  Mat out({m.extent(0), n});
  for (std::size_t i = 0; i < m.extent(0); ++i)
    for (std::size_t j = 0; j < n; ++j) out(i, j) = m(i, c0 + j);
  return out;
}
Mat rows(Mat const& m, std::size_t r0, std::size_t n) {
  Mat out({n, m.extent(1)});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < m.extent(1); ++j) out(i, j) = m(r0 + i, j);
  return out;
}

// The Megatron MLP loss sum(gelu(x @ w1) @ w2) on a tp mesh of `tp` ranks, with x invariant
// entering through convert(I, R) and the output all-reduced to I. Returns the loss and the
// gathered gradients of w1, w2 and x, as seen on rank 0.
struct mlp_result {
  double loss = 0;
  Mat gw1, gw2, gx;
};

mlp_result run_mlp(std::size_t tp, Mat const& x, Mat const& w1, Mat const& w2) {
  using M = mesh<"tp">;
  using X = tensor<Mat, M, layout<I>>;
  using W1 = tensor<Mat, M, layout<S<1>>>;
  using W2 = tensor<Mat, M, layout<S<0>>>;
  mlp_result out;
  threads::run({{"tp", tp}}, [&](threads::rank& r) {
    std::size_t const me = r.coord("tp"), h = w1.extent(1) / tp;
    tape t;
    parameter<X> px{X{x}};
    parameter<W1> p1{W1{cols(w1, me * h, h)}};
    parameter<W2> p2{W2{rows(w2, me * h, h)}};
    auto hidden = gelu(matmul(convert<"tp", I, R>(r, px.on(t)), p1.on(t)));
    auto y = all_reduce<"tp", I>(r, matmul(hidden, p2.on(t), out_partial<"tp">));
    auto loss = sum_all(y);
    backward(loss);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(p1.grad())>, W1>);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(p2.grad())>, W2>);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(px.grad())>, X>);
    auto g1 = all_gather<"tp", I>(r, p1.grad());
    auto g2 = all_gather<"tp", I>(r, p2.grad());
    if (me == 0) {
      out.loss = loss.value().local()(0, 0);
      out.gw1 = g1.local();
      out.gw2 = g2.local();
      out.gx = px.grad().local();
    }
  });
  return out;
}

double max_diff(Mat const& a, Mat const& b) {
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::fmax(d, std::fabs(a.data()[i] - b.data()[i]));
  return d;
}

}  // namespace

TEST_CASE("autograd: a tensor-parallel MLP has the serial loss and gradients", "[autograd]") {
  Mat const x = filled(3, 4, 1.0, 0.1), w1 = filled(4, 8, 0.5, 0.2), w2 = filled(8, 4, 0.5, 0.3);
  mlp_result const serial = run_mlp(1, x, w1, w2);
  for (std::size_t tp : {2u, 4u}) {
    mlp_result const par = run_mlp(tp, x, w1, w2);
    CHECK(par.loss == Approx(serial.loss).epsilon(1e-12));
    CHECK(max_diff(par.gw1, serial.gw1) < 1e-12);
    CHECK(max_diff(par.gw2, serial.gw2) < 1e-12);
    CHECK(max_diff(par.gx, serial.gx) < 1e-12);
  }
}

TEST_CASE("autograd: gradients match finite differences", "[autograd]") {
  Mat const x = filled(3, 4, 1.0, 0.1), w1 = filled(4, 8, 0.5, 0.2), w2 = filled(8, 4, 0.5, 0.3);
  mlp_result const base = run_mlp(1, x, w1, w2);
  double const eps = 1e-6;
  for (std::size_t k : {0u, 5u, 17u, 31u}) {
    Mat plus = w1, minus = w1;
    plus.data()[k] += eps;
    minus.data()[k] -= eps;
    double const fd = (run_mlp(1, x, plus, w2).loss - run_mlp(1, x, minus, w2).loss) / (2 * eps);
    CHECK(base.gw1.data()[k] == Approx(fd).epsilon(1e-6).margin(1e-8));
  }
  for (std::size_t k : {0u, 7u, 11u}) {
    Mat plus = x, minus = x;
    plus.data()[k] += eps;
    minus.data()[k] -= eps;
    double const fd = (run_mlp(1, plus, w1, w2).loss - run_mlp(1, minus, w1, w2).loss) / (2 * eps);
    CHECK(base.gx.data()[k] == Approx(fd).epsilon(1e-6).margin(1e-8));
  }
}

TEST_CASE("autograd: fan-out accumulates, and a data-parallel weight gradient is P on dp", "[autograd]") {
  using M = mesh<"dp">;
  using Act = tensor<Mat, M, layout<V>>;
  using W = tensor<Mat, M, layout<R>>;
  std::atomic<int> bad{0};
  threads::run({{"dp", 2}}, [&](threads::rank& r) {
    tape t;
    parameter<W> w{W{Mat({2, 2}, 1.0)}};
    var<Act> x{Act{Mat({1, 2}, static_cast<double>(r.coord("dp") + 1))}};
    auto wv = w.on(t);
    // w is used twice: its gradient is the sum of both uses.
    auto loss = sum_all(reinterpret<"dp", V, P>(r, matmul(x, wv) + matmul(x, wv)));
    backward(loss);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(w.grad())>, tensor<Mat, M, layout<P>>>);
    // d/dw sum(2 x w) = 2 x^T 1: each rank's piece is 2 (rank + 1) everywhere; the sum is 6.
    auto total = all_reduce<"dp", R>(r, w.take_grad());
    for (std::size_t i = 0; i < 4; ++i)
      if (total.local().data()[i] != 6.0) ++bad;
  });
  CHECK(bad.load() == 0);
}

TEST_CASE("autograd: all_gather of a plain V along a named dim; its gradient is the rank's rows", "[autograd]") {
  using M = mesh<"tp">;
  using Piece = tensor<Mat, M, layout<V>>;
  using Whole = tensor<Mat, M, layout<I>>;
  Mat const c = filled(4, 3, 1.0, 0.3);  // the loss is sum(gathered * c)
  std::atomic<int> bad{0};
  threads::run({{"tp", 2}}, [&](threads::rank& r) {
    std::size_t const me = r.coord("tp");
    tape t;
    parameter<Piece> x{Piece{filled(2, 3, 1.0 + static_cast<double>(me), 0.0)}};
    auto gathered = all_gather<"tp", I, 0>(r, x.on(t));
    static_assert(std::is_same_v<decltype(gathered), var<Whole>>);
    // Rows [2 me, 2 me + 2) of the gathered tensor are this rank's piece.
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t j = 0; j < 3; ++j)
        if (gathered.value().local()(2 * me + i, j) != x.value().local()(i, j)) ++bad;
    auto loss = sum_all(gathered * var<Whole>{Whole{c}});
    backward(loss);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(x.grad())>, Piece>);
    if (x.grad().local() != rows(c, 2 * me, 2)) ++bad;
  });
  CHECK(bad.load() == 0);
}
