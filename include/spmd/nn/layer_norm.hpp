// spmd/nn/layer_norm.hpp - layer normalisation over the hidden dim (per token) as a fused op
// definition (docs/ops.md: its typing, kernel and backward in one place, recorded and checked by
// the library like every op), and the layer_norm module whose weight and bias are replicated
// parameters.
//
// Placement: the weight and bias are [1, hidden], R@dp and I@tp. Without SP the activation is
// I@tp and the parameters are used as they are (every tp rank does the same work; gradient I).
// With SP the activation is S(0)@tp (each rank normalises its own tokens), so the parameters
// enter through convert<"tp", I, R>: their local gradients are P@tp and the backward of the
// convert all-reduces them, exactly Megatron's all-reduce of layer-norm gradients under SP.
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <spmd/autograd/apply.hpp>
#include <spmd/autograd/tape.hpp>
#include <spmd/local/dense_reduce.hpp>
#include <spmd/local/dense_shape.hpp>
#include <spmd/nn/init.hpp>
#include <spmd/nn/linear.hpp>
#include <spmd/nn/types.hpp>
#include <spmd/ops/define.hpp>
#include <spmd/ops/elementwise.hpp>
#include <spmd/ops/reduce.hpp>
#include <spmd/ops/view.hpp>
#include <spmd/rules/dim_maps.hpp>

namespace spmd::nn {

namespace fused {

namespace detail {
/// The statistics of layer norm per row of x [n, h]: mean and rstd = 1 / sqrt(biased variance + eps).
template <class Local>
void layer_norm_stats(Local const& x, double eps, std::vector<double>& mean, std::vector<double>& rstd) {
  using T = typename Local::value_type;
  std::size_t const n = x.shape()[0], h = x.shape()[1];
  mean.assign(n, 0.0);
  rstd.assign(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    T const* xi = x.data() + i * h;
    double m = 0, variance = 0;
    for (std::size_t j = 0; j < h; ++j) m += static_cast<double>(xi[j]);
    m /= static_cast<double>(h);
    for (std::size_t j = 0; j < h; ++j) {
      double const d = static_cast<double>(xi[j]) - m;
      variance += d * d;
    }
    variance /= static_cast<double>(h);
    mean[i] = m;
    rstd[i] = 1.0 / std::sqrt(variance + eps);
  }
}

/// xhat = (x - mean) * rstd per row from its statistics, rounded to T (the forward scales the
/// rounded value).
template <class Local>
Local layer_norm_xhat(Local const& x, std::vector<double> const& mean, std::vector<double> const& rstd) {
  using T = typename Local::value_type;
  std::size_t const n = x.shape()[0], h = x.shape()[1];
  Local xhat({n, h});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < h; ++j)
      xhat.data()[i * h + j] = static_cast<T>((static_cast<double>(x.data()[i * h + j]) - mean[i]) * rstd[i]);
  return xhat;
}

/// xhat of x, its statistics computed.
template <class Local>
Local layer_norm_xhat(Local const& x, double eps) {
  std::vector<double> mean, rstd;
  layer_norm_stats(x, eps, mean, rstd);
  return layer_norm_xhat(x, mean, rstd);
}

/// The forward: y = xhat * w + b, with w and b [1, h] (checked at run time).
template <class Local>
Local layer_norm_forward(Local const& x, Local const& w, Local const& b, double eps) {
  std::size_t const n = x.shape()[0], h = x.shape()[1];
  if (w.shape()[0] != 1 || w.shape()[1] != h || b.shape()[0] != 1 || b.shape()[1] != h)
    throw std::invalid_argument("spmd: nn::layer_norm: weight and bias must be [1, " + std::to_string(h) + "]");
  Local y = layer_norm_xhat(x, eps);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < h; ++j) y.data()[i * h + j] = y.data()[i * h + j] * w.data()[j] + b.data()[j];
  return y;
}

/// dx of y = xhat * w + b, xhat = (x - mean) * rstd, per row: rstd * (gw - mean(gw) - xhat * mean(gw xhat)).
/// mean, rstd and xhat are recomputed from x (the op keeps no state between forward and backward).
template <class Local>
Local layer_norm_dx(Local const& g, Local const& x, Local const& w, double eps) {
  using T = typename Local::value_type;
  std::size_t const n = g.shape()[0], h = g.shape()[1];
  std::vector<double> mean, rstd;
  layer_norm_stats(x, eps, mean, rstd);
  Local const xhat = layer_norm_xhat(x, mean, rstd);
  Local dx({n, h});
  std::vector<double> gw(h);
  for (std::size_t i = 0; i < n; ++i) {
    T const* gi = g.data() + i * h;
    T const* xi = xhat.data() + i * h;
    double s1 = 0, s2 = 0;
    for (std::size_t j = 0; j < h; ++j) {
      gw[j] = static_cast<double>(gi[j]) * static_cast<double>(w.data()[j]);
      s1 += gw[j];
      s2 += gw[j] * static_cast<double>(xi[j]);
    }
    double const m1 = s1 / static_cast<double>(h), m2 = s2 / static_cast<double>(h);
    T* di = dx.data() + i * h;
    for (std::size_t j = 0; j < h; ++j)
      di[j] = static_cast<T>(rstd[i] * (gw[j] - m1 - static_cast<double>(xi[j]) * m2));
  }
  return dx;
}
}  // namespace detail

/// The definitions of the fused layer norm (docs/ops.md): the typing rule, the kernel and the
/// backward in one place, applied and recorded by op_fn like every built-in op.
namespace op {

/// xhat = (x - mean) * rstd over dim 1: a non-linear function of x alone (dw is sum(g * xhat)).
struct layer_norm_xhat {
  static constexpr std::string_view name = "layer_norm_xhat";
  using dims = rules::along_dims<1>;
  template <row_major_tensor Local>
  static auto kernel(Local const& x, double eps) {
    return detail::layer_norm_xhat(x, eps);
  }
};

/// dx from g, x and w: linear in g (which may be a pending sum), not in x or w; recomputes the
/// statistics from x.
struct layer_norm_dx {
  static constexpr std::string_view name = "layer_norm_dx";
  static constexpr auto linearity = spmd::linearity::linear_in_first;
  static constexpr std::size_t arity = 3;
  using dims = rules::along_dims<1>;
  template <row_major_tensor Local>
  static auto kernel(Local const& g, Local const& x, Local const& w, double eps) {
    return detail::layer_norm_dx(g, x, w, eps);
  }
};

/// y = xhat * w + b: non-linear (no P operand), along the hidden dim 1 (which must not be
/// sharded), every dim in place (an S(0) of the tokens stays S(0)).
struct layer_norm {
  static constexpr std::string_view name = "layer_norm";
  static constexpr std::size_t arity = 3;
  using dims = rules::along_dims<1>;
  template <class X, class W, class B, class... Attrs>
  static consteval bool check() {
    constexpr bool ok = X::ndim == 2 && W::ndim == 2 && B::ndim == 2;
    static_assert(ok, "spmd: nn::fused::layer_norm_rows takes x [tokens, hidden], w and b [1, hidden]");
    return ok;
  }
  template <row_major_tensor Local>
  static auto kernel(Local const& x, Local const& w, Local const& b, double eps) {
    return detail::layer_norm_forward(x, w, b, eps);
  }
  /// dx through layer_norm_dx; dw and db are sums over the tokens (over a sharded token dim, SP,
  /// a partial sum per rank), checked against grad_t of w and b like every op's backward.
  template <std::size_t I, class G>
  static auto backward(G const& g, auto const& /*y*/, auto const& x, auto const& w, auto const& /*b*/, double eps) {
    using over_tokens = out_partial_over_shards_t<G, 0>;
    if constexpr (I == 0)
      return spmd::apply<layer_norm_dx>(g, x, w, eps);
    else if constexpr (I == 1)
      return spmd::unsqueeze<0>(spmd::sum<0>(g * spmd::apply<layer_norm_xhat>(x, eps), over_tokens{}));
    else
      return spmd::unsqueeze<0>(spmd::sum<0>(g, over_tokens{}));
  }
};

}  // namespace op

/// The type of layer_norm_rows(x, w, b): the rule of a non-linear op along dim 1 on x, w and b.
template <typed_tensor X, typed_tensor W, typed_tensor B>
using layer_norm_rows_t = decltype(spmd::apply<op::layer_norm>(std::declval<X const&>(), std::declval<W const&>(),
                                                               std::declval<B const&>(), 0.0));

/// y = (x - mean) / sqrt(var + eps) * w + b over dim 1 of x [tokens, hidden] (biased variance),
/// with w and b [1, hidden]. The result's type is the typing rule of a non-linear op on (x, w, b):
/// x must not be P, an I parameter next to a varying x is an error (convert it to R first).
/// Backward: op::layer_norm::backward, each gradient checked against grad_t of its operand.
template <typed_tensor X, typed_tensor W, typed_tensor B>
var<layer_norm_rows_t<X, W, B>> layer_norm_rows(var<X> const& x, var<W> const& w, var<B> const& b, double eps = 1e-5) {
  return op_fn<op::layer_norm>{}(x, w, b, eps);
}

/// The old name of layer_norm_rows (it read like the module nn::layer_norm).
template <typed_tensor X, typed_tensor W, typed_tensor B>
[[deprecated("spmd: use nn::fused::layer_norm_rows")]] var<layer_norm_rows_t<X, W, B>> layer_norm(
    var<X> const& x, var<W> const& w, var<B> const& b, double eps = 1e-5) {  // deprecated
  return layer_norm_rows(x, w, b, eps);                                      // deprecated
}

}  // namespace fused

/// Layer norm over the hidden dim with a learned weight (init 1) and bias (init 0), both
/// [1, hidden] replicated parameters (R@dp, I@tp). Input and output: a block activation.
template <class T>
struct layer_norm {
  parameter<replicated<T>> weight;
  parameter<replicated<T>> bias;
  double eps = 1e-5;

  static layer_norm make(initializer& init, std::size_t hidden) {
    auto w = make_replicated<T>(init.constant<T>(1, hidden, 1.0));
    auto b = make_replicated<T>(init.constant<T>(1, hidden, 0.0));
    return {std::move(w), std::move(b)};
  }

  template <rank_context Rank, block_activation X>
  var<X> forward(Rank& r, tape& t, var<X> const& x) const {
    return fused::layer_norm_rows(x, replicated_operand<X>(r, weight.on(t)), replicated_operand<X>(r, bias.on(t)), eps);
  }

  template <class F>
  void for_each_parameter(F&& f) {
    f(weight);
    f(bias);
  }
};

}  // namespace spmd::nn
