// spmd/nn/transformer.hpp - a pre-LN transformer block: x + attn(ln1(x)), then + mlp(ln2(.)).
//
// Input and output are block activations of one type: (V, S0) with sequence parallelism,
// (V, I) without. The residual adds are of two tensors of that type (no communication).
#pragma once

#include <cmath>
#include <cstddef>
#include <spmd/autograd/ops.hpp>
#include <spmd/nn/attention.hpp>
#include <spmd/nn/init.hpp>
#include <spmd/nn/layer_norm.hpp>
#include <spmd/nn/mlp.hpp>
#include <spmd/nn/types.hpp>

namespace spmd::nn {

/// One pre-LN block: h = x + attn(ln1(x)); y = h + mlp(ln2(h)).
template <class T>
struct transformer_block {
  layer_norm<T> ln1;
  self_attention<T> attn;
  layer_norm<T> ln2;
  mlp<T> ffn;

  /// `layers` is the depth of the model (scales the output projections' initialisation).
  template <rank_context Rank>
  static transformer_block make(Rank& r, initializer& init, std::size_t hidden, std::size_t heads, std::size_t ffn,
                                std::size_t layers, bool qkv_bias = false) {
    double const out_std = default_weight_std(hidden) / std::sqrt(2.0 * static_cast<double>(layers));
    auto ln1 = layer_norm<T>::make(init, hidden);
    auto attn = self_attention<T>::make(r, init, hidden, heads, out_std, qkv_bias);
    auto ln2 = layer_norm<T>::make(init, hidden);
    auto m =
        mlp<T>::make(r, init, hidden, ffn, out_std * std::sqrt(static_cast<double>(hidden) / static_cast<double>(ffn)));
    return {std::move(ln1), std::move(attn), std::move(ln2), std::move(m)};
  }

  template <rank_context Rank, block_activation X>
  var<X> forward(Rank& r, tape& t, var<X> const& x, std::size_t seq) const {
    auto h = x + attn.forward(r, t, ln1.forward(r, t, x), seq);
    return h + ffn.forward(r, t, ln2.forward(r, t, h));
  }

  template <class F>
  void for_each_parameter(F&& f) {
    ln1.for_each_parameter(f);
    attn.for_each_parameter(f);
    ln2.for_each_parameter(f);
    ffn.for_each_parameter(f);
  }
};

}  // namespace spmd::nn
