// The attention, MLP and transformer-block modules on dp x tp meshes (tp = 2, 4; dp = 2), with and
// without sequence parallelism: output, input gradient and parameter gradients equal the serial
// (1 x 1) run.
#include <catch2/catch.hpp>

#include "test_nn_common.hpp"

using namespace nn_test;

namespace {
constexpr std::size_t tokens = 16, hidden = 8, heads = 4, ffn = 16, seq = 4;
constexpr double tolerance = 1e-12;
struct mesh_size {
  std::size_t dp, tp;
};
constexpr mesh_size meshes[] = {{1, 2}, {2, 2}, {1, 4}};

template <bool SP>
layer_outcome attention(std::size_t dp, std::size_t tp) {
  return run_layer<nn::activation<double, SP>>(
      dp, tp, tokens, hidden,
      [](auto& r) {
        nn::initializer init(11);
        return nn::self_attention<double>::make(r, init, hidden, heads, 0.5, /*qkv_bias=*/true);
      },
      [](auto& r, auto& t, auto const& layer, auto const& x) { return layer.forward(r, t, x, seq); });
}

template <bool SP>
layer_outcome feed_forward(std::size_t dp, std::size_t tp) {
  return run_layer<nn::activation<double, SP>>(
      dp, tp, tokens, hidden,
      [](auto& r) {
        nn::initializer init(12);
        return nn::mlp<double>::make(r, init, hidden, ffn, 0.5);
      },
      [](auto& r, auto& t, auto const& layer, auto const& x) { return layer.forward(r, t, x); });
}

template <bool SP>
layer_outcome block(std::size_t dp, std::size_t tp) {
  return run_layer<nn::activation<double, SP>>(
      dp, tp, tokens, hidden,
      [](auto& r) {
        nn::initializer init(13);
        return nn::transformer_block<double>::make(r, init, hidden, heads, ffn, 2);
      },
      [](auto& r, auto& t, auto const& layer, auto const& x) { return layer.forward(r, t, x, seq); });
}
}  // namespace

TEST_CASE("nn self_attention with heads over tp (SP on and off) equals serial", "[nn][layers]") {
  auto const serial = attention<false>(1, 1);
  REQUIRE(serial.grads.size() == 4);
  for (auto m : meshes) {
    INFO("dp=" << m.dp << " tp=" << m.tp);
    CHECK(max_rel_diff(attention<true>(m.dp, m.tp), serial) <= tolerance);
    CHECK(max_rel_diff(attention<false>(m.dp, m.tp), serial) <= tolerance);
  }
}

TEST_CASE("nn mlp on tp (SP on and off) equals serial", "[nn][layers]") {
  auto const serial = feed_forward<false>(1, 1);
  REQUIRE(serial.grads.size() == 4);
  for (auto m : meshes) {
    INFO("dp=" << m.dp << " tp=" << m.tp);
    CHECK(max_rel_diff(feed_forward<true>(m.dp, m.tp), serial) <= tolerance);
    CHECK(max_rel_diff(feed_forward<false>(m.dp, m.tp), serial) <= tolerance);
  }
}

TEST_CASE("nn transformer_block on tp (SP on and off) equals serial", "[nn][layers]") {
  auto const serial = block<false>(1, 1);
  REQUIRE(serial.grads.size() == 11);  // ln1 2, attention 3 (QKV weight; projection weight, bias), ln2 2, mlp 4
  for (auto m : meshes) {
    INFO("dp=" << m.dp << " tp=" << m.tp);
    CHECK(max_rel_diff(block<true>(m.dp, m.tp), serial) <= tolerance);
    CHECK(max_rel_diff(block<false>(m.dp, m.tp), serial) <= tolerance);
  }
}
