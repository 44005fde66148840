// Defining an op: a fused bias + GELU with its own kernel and a hand-written backward, used in a
// column-parallel layer on a dp x tp mesh. Its definition gives its typing (non-linear: no
// pending sum in, shards kept), its kernel and its backward; the compiler checks the layout of
// its result and of every gradient its backward computes. The program compares it with the
// same layer written with the built-in ops (x @ w + b, then gelu), values and gradients.
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string_view>

#include <spmd/autograd.hpp>
#include <spmd/runtime/threads.hpp>
#include <spmd/spmd.hpp>

namespace my {

using spmd::local::dense;

// The user's kernels: any local tensor type works the same way, found by argument-dependent lookup.
/// gelu(x + b), b a row [1, n] broadcast over the rows of x.
template <class T>
dense<T, 2> bias_gelu(dense<T, 2> x, dense<T, 2> const& b) {
  for (std::size_t i = 0; i < x.extent(0); ++i)
    for (std::size_t j = 0; j < x.extent(1); ++j) {
      T const z = x(i, j) + b(0, j);
      x(i, j) = T{0.5} * z * (T{1} + std::tanh(T{0.7978845608028654} * (z + T{0.044715} * z * z * z)));
    }
  return x;
}
/// g * gelu'(x + b).
template <class T>
dense<T, 2> bias_gelu_backward(dense<T, 2> g, dense<T, 2> const& x, dense<T, 2> const& b) {
  for (std::size_t i = 0; i < x.extent(0); ++i)
    for (std::size_t j = 0; j < x.extent(1); ++j) {
      T const z = x(i, j) + b(0, j), c = T{0.7978845608028654}, k = T{0.044715};
      T const t = std::tanh(c * (z + k * z * z * z));
      g(i, j) *= T{0.5} * (T{1} + t) + T{0.5} * z * (T{1} - t * t) * c * (T{1} + T{3} * k * z * z);
    }
  return g;
}

/// The gradient of the fused op's input: g * gelu'(x + b). Linear in g (which may be a pending
/// sum), not in x or b.
struct bias_gelu_grad_op {
  static constexpr std::string_view name = "bias_gelu_grad";
  static constexpr auto linearity = spmd::linearity::linear_in_first;
  static constexpr std::size_t arity = 3;
  static auto kernel(auto g, auto const& x, auto const& b) { return bias_gelu_backward(std::move(g), x, b); }
};

/// gelu(x + b) as one op: non-linear (no `linearity` member), same dims (no `dims` member).
struct bias_gelu_op {
  static constexpr std::string_view name = "bias_gelu";
  static constexpr std::size_t arity = 2;
  static auto kernel(auto x, auto const& b) { return bias_gelu(std::move(x), b); }
  /// Operand I's gradient from the result's gradient g, written with typed ops: the compiler
  /// checks that each is exactly the gradient type of its operand.
  template <std::size_t I>
  static auto backward(auto const& g, auto const& /*y*/, auto const& x, auto const& b) {
    auto dz = spmd::apply<bias_gelu_grad_op>(g, x, b);
    if constexpr (I == 0)
      return dz;
    else
      return spmd::unsqueeze<0>(spmd::sum<0>(dz));  // b was broadcast over the rows
  }
};

/// The op, callable on typed tensors and on autograd variables.
inline constexpr spmd::op_fn<bias_gelu_op> fused_bias_gelu{};

}  // namespace my

using namespace spmd;

using Mesh = mesh<"dp", "tp">;
using Mat = local::dense<double, 2>;
using X = tensor<Mat, Mesh, layout<V, R>>;     // a dp rank's tokens, whole on every tp rank
using W = tensor<Mat, Mesh, layout<R, S<1>>>;  // column-parallel weight
using B = tensor<Mat, Mesh, layout<R, S<1>>>;  // its bias
using H = tensor<Mat, Mesh, layout<V, S<1>>>;  // this rank's hidden columns

namespace {

Mat smooth(std::size_t rows, std::size_t cols, double shift) {
  Mat m({rows, cols});
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = 0.8 * std::sin(0.37 * static_cast<double>(i) + shift);
  return m;
}

double max_difference(Mat const& a, Mat const& b) {
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a.data()[i] - b.data()[i]));
  return d;
}

/// A loss from the hidden activations: their sum, P on dp (a sum over the dp ranks' tokens)
/// and I on tp (reduced over the tp ranks' columns).
template <class R>
auto loss_of(R& r, autograd::var<H> const& h) {
  auto local = autograd::sum_all(h);                     // (V, P)
  auto whole = autograd::all_reduce<"tp", I>(r, local);  // (V, I)
  return autograd::reinterpret<"dp", V, P>(r, whole);    // (P, I)
}

}  // namespace

int main() {
  std::size_t const tokens = 5, in = 6, hidden = 8, tp = 2;
  double worst = 0;
  std::mutex mu;
  threads::run({{"dp", 2}, {"tp", tp}}, [&](threads::rank& r) {
    std::size_t const c0 = r.coord("tp") * hidden / tp, n = hidden / tp;
    X const x{smooth(tokens, in, 0.1 + static_cast<double>(r.coord("dp")))};
    Mat w_cols({in, n}), b_cols({1, n});
    Mat const w_all = smooth(in, hidden, 0.7), b_all = smooth(1, hidden, 1.3);
    for (std::size_t i = 0; i < in; ++i)
      for (std::size_t j = 0; j < n; ++j) w_cols(i, j) = w_all(i, c0 + j);
    for (std::size_t j = 0; j < n; ++j) b_cols(0, j) = b_all(0, c0 + j);

    // The same layer twice: the fused op, and the built-in ops.
    autograd::parameter<W> w1{W{w_cols}}, w2{W{w_cols}};
    autograd::parameter<B> b1{B{b_cols}}, b2{B{b_cols}};
    autograd::tape t1, t2;
    autograd::var<X> const x1{x}, x2{x};
    autograd::var<H> const fused = my::fused_bias_gelu(autograd::matmul(x1, w1.on(t1)), b1.on(t1));
    autograd::var<H> const built_in = autograd::gelu(autograd::matmul(x2, w2.on(t2)) + b2.on(t2));
    autograd::backward(loss_of(r, fused));
    autograd::backward(loss_of(r, built_in));

    // The gradients have the parameters' gradient types: P on dp (to be all-reduced), S(1) on tp.
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(b1.grad())>, tensor<Mat, Mesh, layout<P, S<1>>>>);
    double const d = std::max({max_difference(fused.value().local(), built_in.value().local()),
                               max_difference(w1.grad().local(), w2.grad().local()),
                               max_difference(b1.grad().local(), b2.grad().local())});
    std::lock_guard lock(mu);
    worst = std::max(worst, d);
  });
  std::printf("fused bias_gelu vs built-in ops, dp=2 x tp=%zu: max difference %.3g (values and gradients)\n", tp,
              worst);
  return worst < 1e-12 ? 0 : 1;
}
