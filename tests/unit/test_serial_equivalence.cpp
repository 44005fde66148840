// Serial equivalence (double): the tiny GPT, initialised from one seed, trained for 20 steps on
// dp x tp meshes 1x2, 2x1, 2x2 and 1x4, with sequence parallelism on and off, gives the loss of
// every step and the final parameters of the serial (1x1) run to a relative 1e-5.
#include <catch2/catch.hpp>

#include "test_serial_equivalence_common.hpp"

using spmd_test::max_relative_difference;
using spmd_test::train_tiny_gpt;

namespace {
constexpr std::size_t steps = 20;
constexpr std::uint64_t seed = 5;
constexpr double tolerance = 1e-5;
struct mesh_size {
  std::size_t dp, tp;
};
constexpr mesh_size meshes[] = {{1, 2}, {2, 1}, {2, 2}, {1, 4}};
}  // namespace

TEST_CASE("serial equivalence: tiny GPT, double, AdamW, SP on and off", "[nn][serial_equivalence]") {
  auto const serial = train_tiny_gpt<double, false>(1, 1, steps, seed);
  REQUIRE(serial.losses.size() == steps);
  // The data is random tokens: the loss still falls (the model learns the unigram statistics).
  CHECK(serial.losses.back() < serial.losses.front());
  for (auto m : meshes) {
    INFO("dp=" << m.dp << " tp=" << m.tp);
    auto const on = train_tiny_gpt<double, true>(m.dp, m.tp, steps, seed);
    auto const off = train_tiny_gpt<double, false>(m.dp, m.tp, steps, seed);
    CHECK(max_relative_difference(on, serial) <= tolerance);
    CHECK(max_relative_difference(off, serial) <= tolerance);
  }
}

TEST_CASE("serial equivalence: tiny GPT, double, ZeRO-1, SGD and QKV bias variants", "[nn][serial_equivalence]") {
  using spmd::nn::dp_sync;
  using spmd_test::optimizer_kind;
  using spmd_test::run_options;
  auto const serial = train_tiny_gpt<double, true>(1, 1, steps, seed);
  // ZeRO-1: gradients reduce-scattered over dp, AdamW state sharded, parameters all-gathered.
  CHECK(max_relative_difference(train_tiny_gpt<double, true>(2, 2, steps, seed, {.sync = dp_sync::zero}), serial) <=
        tolerance);
  CHECK(max_relative_difference(train_tiny_gpt<double, false>(2, 1, steps, seed, {.sync = dp_sync::zero}), serial) <=
        tolerance);
  // A global batch of 6 sequences on dp = 4 would not split; 8 does, 2 per dp rank.
  run_options const wide{.batch = 8};
  CHECK(max_relative_difference(train_tiny_gpt<double, true>(4, 1, steps, seed, wide),
                                train_tiny_gpt<double, true>(1, 1, steps, seed, wide)) <= tolerance);

  // SGD, with a bias on the fused QKV projection.
  run_options const sgd{.optimizer = optimizer_kind::sgd, .qkv_bias = true};
  auto const serial_sgd = train_tiny_gpt<double, false>(1, 1, steps, seed, sgd);
  CHECK(serial_sgd.losses.back() < serial_sgd.losses.front());
  CHECK(max_relative_difference(train_tiny_gpt<double, true>(2, 2, steps, seed, sgd), serial_sgd) <= tolerance);
  CHECK(max_relative_difference(train_tiny_gpt<double, false>(1, 4, steps, seed, sgd), serial_sgd) <= tolerance);
}
