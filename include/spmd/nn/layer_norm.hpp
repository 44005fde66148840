// spmd/nn/layer_norm.hpp - layer normalisation over the hidden dim (per token) as a fused
// differentiable op, and the layer_norm module whose weight and bias are replicated parameters.
//
// Placement: the weight and bias are [1, hidden], R@dp and I@tp. Without SP the activation is
// I@tp and the parameters are used as they are (every tp rank does the same work; gradient I).
// With SP the activation is S(0)@tp (each rank normalises its own tokens), so the parameters
// enter through convert<"tp", I, R>: their local gradients are P@tp and the backward of the
// convert all-reduces them, exactly Megatron's all-reduce of layer-norm gradients under SP.
#pragma once

#include <cmath>
#include <cstddef>
#include <spmd/autograd/as_grad.hpp>
#include <spmd/autograd/tape.hpp>
#include <spmd/local/dense_reduce.hpp>
#include <spmd/local/dense_shape.hpp>
#include <spmd/nn/init.hpp>
#include <spmd/nn/linear.hpp>
#include <spmd/nn/types.hpp>
#include <spmd/ops/reduce.hpp>
#include <spmd/ops/view.hpp>
#include <spmd/rules/layout_rule.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace spmd::nn {

namespace fused {

/// Op tag of the fused layer norm, for the typing rules: non-linear (no P operand), works along
/// the hidden dim 1 (which must not be sharded), keeps every dim in place (an S(0) of the tokens
/// stays S(0)).
struct layer_norm_op {};
/// Where the dims of the layer norm's operands go: in place; the op works along dim 1.
using layer_norm_dims = rules::along_dims<1>;

/// The type of layer_norm(x, w, b): the rule of a non-linear op along dim 1 on x, w and b.
template <typed_tensor X, typed_tensor... Params>
using layer_norm_t = basic_tensor<typename X::local_type, typename X::mesh_type,
                                  rules::result_layout_t<layer_norm_op, typename X::mesh_type, layer_norm_dims,
                                                         typename X::layout_type, typename Params::layout_type...>>;

namespace detail {
/// dx of y = xhat * w + b, xhat = (x - mean) * rstd, per row: rstd * (gw - mean(gw) - xhat * mean(gw xhat)).
template <class T>
local::dense<T, 2> layer_norm_dx(local::dense<T, 2> const& g, local::dense<T, 2> const& xhat,
                                 local::dense<T, 2> const& w, std::vector<double> const& rstd) {
  std::size_t const n = g.extent(0), h = g.extent(1);
  local::dense<T, 2> dx({n, h});
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

/// y = (x - mean) / sqrt(var + eps) * w + b over dim 1 of x [tokens, hidden] (biased variance),
/// with w and b [1, hidden]. The result's type is the typing rule of a non-linear op on (x, w, b):
/// x must not be P, an I parameter next to a varying x is an error (convert it to R first).
/// Backward (typed): dx as grad_t of the output (the layout of x), dw = sum over tokens of
/// g * xhat and db = sum over tokens of g, each checked by as_grad against grad_t of w and b.
template <typed_tensor X, typed_tensor W, typed_tensor B>
var<layer_norm_t<X, W, B>> layer_norm(var<X> const& x, var<W> const& w, var<B> const& b, double eps = 1e-5) {
  static_assert(X::rank == 2 && W::rank == 2 && B::rank == 2,
                "spmd: nn::fused::layer_norm takes x [tokens, hidden], w and b [1, hidden]");
  using Out = layer_norm_t<X, W, B>;
  using XHat = layer_norm_t<X>;  // (x - mean) * rstd: a non-linear function of x alone
  using T = typename X::value_type;
  if constexpr (!op_accepts<layer_norm_op, layer_norm_dims, X, W, B>) {
    return var<Out>{Out{}};  // layer_norm_t has said why
  } else {
    auto const& xl = x.value().local();
    std::size_t const n = xl.extent(0), h = xl.extent(1);
    auto const& wl = w.value().local();
    auto const& bl = b.value().local();
    if (wl.extent(0) != 1 || wl.extent(1) != h || bl.extent(0) != 1 || bl.extent(1) != h)
      throw std::invalid_argument("spmd: nn::layer_norm: weight and bias must be [1, " + std::to_string(h) + "]");
    local::dense<T, 2> xhat({n, h}), y({n, h});
    std::vector<double> rstd(n);
    for (std::size_t i = 0; i < n; ++i) {
      T const* xi = xl.data() + i * h;
      double mean = 0, variance = 0;
      for (std::size_t j = 0; j < h; ++j) mean += static_cast<double>(xi[j]);
      mean /= static_cast<double>(h);
      for (std::size_t j = 0; j < h; ++j) {
        double const d = static_cast<double>(xi[j]) - mean;
        variance += d * d;
      }
      variance /= static_cast<double>(h);
      rstd[i] = 1.0 / std::sqrt(variance + eps);
      for (std::size_t j = 0; j < h; ++j) {
        T const xh = static_cast<T>((static_cast<double>(xi[j]) - mean) * rstd[i]);
        xhat.data()[i * h + j] = xh;
        y.data()[i * h + j] = xh * wl.data()[j] + bl.data()[j];
      }
    }
    bool const needs = x.requires_grad() || w.requires_grad() || b.requires_grad();
    return autograd::record(autograd::tape_of(x, w, b), Out{std::move(y)}, needs,
                            [x, w, b, xh = XHat{std::move(xhat)}, rstd = std::move(rstd)](grad_t<Out> const& g) {
                              // Sums over the tokens: over a sharded token dim (SP) a partial sum per rank.
                              using over_tokens = out_partial_over_shards_t<grad_t<Out>, 0>;
                              if (w.requires_grad())
                                w.accumulate(autograd::as_grad<grad_t<W>>(
                                    spmd::unsqueeze<0>(spmd::sum<0>(g * xh, over_tokens{}))));
                              if (b.requires_grad())
                                b.accumulate(
                                    autograd::as_grad<grad_t<B>>(spmd::unsqueeze<0>(spmd::sum<0>(g, over_tokens{}))));
                              if (x.requires_grad())
                                x.accumulate(autograd::as_grad<grad_t<X>>(grad_t<Out>{
                                    detail::layer_norm_dx(g.local(), xh.local(), w.value().local(), rstd)}));
                            });
  }
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
    return fused::layer_norm(x, replicated_operand<X>(r, weight.on(t)), replicated_operand<X>(r, bias.on(t)), eps);
  }

  template <class F>
  void for_each_parameter(F&& f) {
    f(weight);
    f(bias);
  }
};

}  // namespace spmd::nn
