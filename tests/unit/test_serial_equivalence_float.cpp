// Serial equivalence (float): as test_serial_equivalence.cpp, with float tensors, to a relative
// 1e-3.
#include <catch2/catch.hpp>

#include "test_serial_equivalence_common.hpp"

using spmd_test::max_relative_difference;
using spmd_test::train_tiny_gpt;

namespace {
constexpr std::size_t steps = 20;
constexpr std::uint64_t seed = 5;
constexpr double tolerance = 1e-3;
struct mesh_size {
  std::size_t dp, tp;
};
constexpr mesh_size meshes[] = {{1, 2}, {2, 1}, {2, 2}, {1, 4}};
}  // namespace

TEST_CASE("serial equivalence: tiny GPT, float, AdamW, SP on and off", "[nn][serial_equivalence]") {
  auto const serial = train_tiny_gpt<float, false>(1, 1, steps, seed);
  REQUIRE(serial.losses.size() == steps);
  CHECK(serial.losses.back() < serial.losses.front());
  for (auto m : meshes) {
    INFO("dp=" << m.dp << " tp=" << m.tp);
    auto const on = train_tiny_gpt<float, true>(m.dp, m.tp, steps, seed);
    auto const off = train_tiny_gpt<float, false>(m.dp, m.tp, steps, seed);
    CHECK(max_relative_difference(on, serial) <= tolerance);
    CHECK(max_relative_difference(off, serial) <= tolerance);
  }
  // ZeRO-1 in float.
  auto const zero = train_tiny_gpt<float, true>(2, 2, steps, seed, {.sync = spmd::nn::dp_sync::zero});
  CHECK(max_relative_difference(zero, serial) <= tolerance);
}
