// Shared by tests/unit/test_nn_*.cpp: whole random inputs split like a layer's input, whole
// values of distributed results, a scalar loss of any output, finite differences.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>
#include <spmd/autograd.hpp>
#include <spmd/comm.hpp>
#include <spmd/nn.hpp>
#include <spmd/runtime/threads.hpp>
#include <spmd/testing/global.hpp>

namespace nn_test {

using namespace spmd;
using Mat = local::dense<double, 2>;

/// A whole [rows, cols] matrix of N(0, scale^2) numbers from `seed` (the same on every rank).
template <class T = double>
local::dense<T, 2> random_whole(std::size_t rows, std::size_t cols, std::uint64_t seed, double scale = 1.0) {
  nn::rng g(nn::derive_seed(seed, 77));
  local::dense<T, 2> m({rows, cols});
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(scale * g.normal());
  return m;
}

/// Rows [first, first + count) of m.
template <class T>
local::dense<T, 2> row_block(local::dense<T, 2> const& m, std::size_t first, std::size_t count) {
  local::dense<T, 2> out({count, m.extent(1)});
  std::copy_n(m.data() + first * m.extent(1), count * m.extent(1), out.data());
  return out;
}

/// This rank's piece of a whole [tokens, n] activation-like tensor of type X (V@dp: this dp rank's
/// rows; on tp: I as is, S<d> this rank's chunk along d).
template <typed_tensor X, rank_context Rank>
X split_like(Rank& r, local::dense<typename X::value_type, 2> const& whole) {
  using T = typename X::value_type;
  static_assert(std::is_same_v<nn::dp_placement_t<X>, V>, "split_like: V on dp");
  std::size_t const dp = r.axis_size("dp"), rows = whole.extent(0) / dp;
  nn::tensor2<T, V, I> mine{row_block(whole, r.coord("dp") * rows, rows)};
  using Tp = nn::tp_placement_t<X>;
  if constexpr (std::is_same_v<Tp, I>)
    return mine;
  else
    return spmd::convert<"tp", I, Tp>(r, mine);
}

/// The whole value of a tensor that is V on dp (dp ranks' rows concatenated) and I or S<d> on tp.
template <rank_context Rank, typed_tensor X>
auto whole_of(Rank& r, X const& x) {
  using Tp = nn::tp_placement_t<X>;
  if constexpr (std::is_same_v<nn::dp_placement_t<X>, V>) {
    if constexpr (shard_placement<Tp>)
      return spmd::all_gather<"dp", I, 0>(r, spmd::all_gather<"tp", I>(r, x)).local();
    else
      return spmd::all_gather<"dp", I, 0>(r, x).local();
  } else {
    return testing::global_value(r, x);
  }
}

/// A loss (I or P on every axis) from a [1, 1] variable: V axes reinterpreted as P.
template <rank_context Rank, typed_tensor S>
auto to_loss(Rank& r, autograd::var<S> const& s) {
  auto a = [&] {
    if constexpr (std::is_same_v<nn::dp_placement_t<S>, V>)
      return autograd::reinterpret<"dp", V, P>(r, s);
    else
      return s;
  }();
  using A = typename decltype(a)::tensor_type;
  if constexpr (std::is_same_v<nn::tp_placement_t<A>, V>)
    return autograd::reinterpret<"tp", V, P>(r, a);
  else
    return a;
}

/// max |a - b| / max |b|.
template <class T>
double max_rel_diff(local::dense<T, 2> const& a, local::dense<T, 2> const& b) {
  if (a.shape() != b.shape()) return INFINITY;
  double diff = 0, scale = 1e-300;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::fmax(diff, std::fabs(static_cast<double>(a.data()[i]) - static_cast<double>(b.data()[i])));
    scale = std::fmax(scale, std::fabs(static_cast<double>(b.data()[i])));
  }
  return diff / scale;
}

/// The largest difference between the gradient backward computes and central finite differences,
/// relative to max(1, |gradient|), over every element of every parameter. `eval(tape&)` runs the
/// forward pass and returns the loss variable (on a 1 x 1 mesh).
template <class Eval, class... Params>
double finite_difference_error(Eval&& eval, Params&... params) {
  auto loss_value = [&] {
    autograd::tape t;
    auto l = eval(t);
    return static_cast<double>(l.value().local().data()[0]);
  };
  (params.zero_grad(), ...);
  {
    autograd::tape t;
    autograd::backward(eval(t));
  }
  double worst = 0;
  auto check = [&](auto& p) {
    auto const g = p.grad();
    auto* x = p.value().local().data();
    std::size_t n = 1;
    for (auto e : p.value().local().shape()) n *= e;
    for (std::size_t i = 0; i < n; ++i) {
      double const x0 = x[i], h = 1e-5;
      x[i] = x0 + h;
      double const up = loss_value();
      x[i] = x0 - h;
      double const down = loss_value();
      x[i] = x0;
      double const fd = (up - down) / (2 * h), an = g.local().data()[i];
      worst = std::fmax(worst, std::fabs(fd - an) / std::fmax(1.0, std::fabs(an)));
    }
  };
  (check(params), ...);
  return worst;
}

/// What a layer computes on a mesh, as whole tensors: the output, the gradient of the input and
/// the gradients of the parameters (in for_each_parameter order) for the loss <y, c>.
struct layer_outcome {
  Mat y, dx;
  std::vector<Mat> grads;
};

/// The whole width of a tensor of type Y whose local piece has `cols` columns.
template <typed_tensor Y, rank_context Rank>
std::size_t whole_cols(Rank& r, std::size_t cols) {
  return std::is_same_v<nn::tp_placement_t<Y>, S<1>> ? cols * r.axis_size("tp") : cols;
}

/// Runs a layer on a dp x tp mesh: `make(rank)` builds it (from a fixed seed), the input is a
/// whole random [tokens, in] matrix split like `In`, `forward(rank, tape, layer, x)` gives y, and
/// the loss is <y, c> for a whole random c split like grad_t of y. Returns the whole results.
template <typed_tensor In, class Make, class Forward>
layer_outcome run_layer(std::size_t dp, std::size_t tp, std::size_t tokens, std::size_t in, Make&& make,
                        Forward&& forward) {
  layer_outcome res;
  threads::run({{"dp", dp}, {"tp", tp}}, [&](threads::rank& r) {
    auto layer = make(r);
    autograd::parameter<In> x{split_like<In>(r, random_whole(tokens, in, 1))};
    autograd::tape t;
    auto const y = forward(r, t, layer, x.on(t));
    using Y = typename std::remove_cvref_t<decltype(y)>::tensor_type;
    std::size_t const out = whole_cols<Y>(r, y.value().local().extent(1));
    autograd::var<grad_t<Y>> const c{split_like<grad_t<Y>>(r, random_whole(tokens, out, 2))};
    autograd::backward(to_loss(r, autograd::sum_all(y * c)));
    Mat yw = whole_of(r, y.value()), dxw = whole_of(r, x.grad());
    std::vector<Mat> grads;
    layer.for_each_parameter([&](auto& p) { grads.push_back(testing::global_value(r, p.grad())); });
    if (r.index() == 0) res = {std::move(yw), std::move(dxw), std::move(grads)};
  });
  return res;
}

/// The largest relative difference between two layer outcomes.
inline double max_rel_diff(layer_outcome const& a, layer_outcome const& b) {
  if (a.grads.size() != b.grads.size()) return INFINITY;
  double worst = std::fmax(max_rel_diff(a.y, b.y), max_rel_diff(a.dx, b.dx));
  for (std::size_t i = 0; i < a.grads.size(); ++i) worst = std::fmax(worst, max_rel_diff(a.grads[i], b.grads[i]));
  return worst;
}

}  // namespace nn_test
