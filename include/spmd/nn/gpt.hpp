// spmd/nn/gpt.hpp - a small GPT: vocab-parallel embedding, pre-LN transformer blocks with
// tensor-parallel attention and MLP, a final layer norm, a column-parallel LM head and the
// vocab-parallel cross entropy. The same model runs with sequence parallelism or without
// (a template argument of loss()); its parameters are the same either way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>
#include <spmd/nn/cross_entropy.hpp>
#include <spmd/nn/embedding.hpp>
#include <spmd/nn/init.hpp>
#include <spmd/nn/layer_norm.hpp>
#include <spmd/nn/linear.hpp>
#include <spmd/nn/transformer.hpp>
#include <spmd/nn/types.hpp>

namespace spmd::nn {

/// The shape of a GPT.
struct gpt_config {
  std::size_t vocab = 128;  ///< vocabulary size (divisible by tp)
  std::size_t hidden = 64;  ///< model width (divisible by heads)
  std::size_t heads = 4;    ///< attention heads (divisible by tp)
  std::size_t layers = 2;   ///< transformer blocks
  std::size_t seq = 32;     ///< sequence length (the position table's rows)
  std::size_t ffn = 0;      ///< MLP inner width (divisible by tp); 0: 4 * hidden
  double embed_std = 0.1;   ///< initial standard deviation of the embedding tables
  bool qkv_bias = false;    ///< a bias on the fused QKV projection (see nn::self_attention)

  [[nodiscard]] std::size_t ffn_width() const noexcept { return ffn ? ffn : 4 * hidden; }
  /// Number of parameters of the whole model.
  [[nodiscard]] std::size_t parameter_count() const noexcept {
    std::size_t const h = hidden, f = ffn_width();
    std::size_t const block =
        2 * 2 * h + (h * 3 * h + (qkv_bias ? 3 * h : 0)) + (h * h + h) + (h * f + f) + (f * h + h);
    return vocab * h + seq * h + layers * block + 2 * h + h * vocab;
  }
};

/// A GPT whose parameters are typed shards on the dp x tp mesh. Initialised from a seed
/// independently of the mesh (every parameter is generated whole, then sharded), so the same
/// seed gives the same model on every mesh.
template <class T>
class gpt {
 public:
  template <rank_context Rank>
  gpt(Rank& r, gpt_config const& config, std::uint64_t seed)
      : config_(check(r, config)),
        init_(seed),
        embed_(
            vocab_parallel_embedding<T>::make(r, init_, config_.vocab, config_.hidden, config_.seq, config_.embed_std)),
        blocks_(make_blocks(r)),
        ln_f_(layer_norm<T>::make(init_, config_.hidden)),
        lm_head_(
            make_tp_sharded<1>(r, init_.normal<T>(config_.hidden, config_.vocab, default_weight_std(config_.hidden)))) {
  }

  [[nodiscard]] gpt_config const& config() const noexcept { return config_; }

  /// The logits [tokens, vocab/tp] (V, S1) of `ids` (this dp rank's whole sequences,
  /// sequence-major), with sequence parallelism (SP) or without.
  template <bool SP, rank_context Rank>
  var<column_out<T>> logits(Rank& r, tape& t, std::span<int const> ids) const {
    auto h = embed_.template forward<SP>(r, t, ids);
    for (auto const& b : blocks_) h = b.forward(r, t, h, config_.seq);
    h = ln_f_.forward(r, t, h);
    return column_parallel(r, h, lm_head_.on(t));
  }

  /// The loss (P@dp, I@tp; its sum over dp is the mean over all tokens of all dp ranks) of
  /// predicting `targets` from `ids`; every dp rank passes as many tokens.
  template <bool SP, rank_context Rank>
  var<loss_tensor<T>> loss(Rank& r, tape& t, std::span<int const> ids, std::span<int const> targets) const {
    return vocab_parallel_cross_entropy(r, logits<SP>(r, t, ids), targets, ids.size() * r.axis_size("dp"));
  }

  /// Calls f(parameter) for every parameter, in a fixed order.
  template <class F>
  void for_each_parameter(F&& f) {
    embed_.for_each_parameter(f);
    for (auto& b : blocks_) b.for_each_parameter(f);
    ln_f_.for_each_parameter(f);
    f(lm_head_);
  }

 private:
  template <rank_context Rank>
  static gpt_config const& check(Rank& r, gpt_config const& c) {
    std::size_t const tp = r.axis_size("tp");
    if (c.vocab % tp || c.heads % tp || c.ffn_width() % tp || c.hidden % c.heads || c.layers == 0 || c.seq == 0)
      throw std::invalid_argument("spmd: nn::gpt: vocab " + std::to_string(c.vocab) + ", heads " +
                                  std::to_string(c.heads) + " and ffn " + std::to_string(c.ffn_width()) +
                                  " must divide by tp " + std::to_string(tp) + ", and hidden " +
                                  std::to_string(c.hidden) + " by heads");
    return c;
  }
  template <rank_context Rank>
  std::vector<transformer_block<T>> make_blocks(Rank& r) {
    std::vector<transformer_block<T>> blocks;
    blocks.reserve(config_.layers);
    for (std::size_t i = 0; i < config_.layers; ++i)
      blocks.push_back(transformer_block<T>::make(r, init_, config_.hidden, config_.heads, config_.ffn_width(),
                                                  config_.layers, config_.qkv_bias));
    return blocks;
  }

  gpt_config config_;
  initializer init_;
  vocab_parallel_embedding<T> embed_;
  std::vector<transformer_block<T>> blocks_;
  layer_norm<T> ln_f_;
  parameter<column_weight<T>> lm_head_;
};

}  // namespace spmd::nn
