// spmd/local/dropout_mask.hpp - the dropout mask every local tensor type draws: element i of a
// tensor dropped with key `key` is dropped when dropout_uniform(key, i) < p (i the row-major
// index). Local types that draw it the same way drop the same elements for the same key, so a
// program gives the same numbers on each (local::dense and spmd::torch_tensor do).
#pragma once

#include <cstddef>
#include <cstdint>

namespace spmd::local {

/// A uniform number in [0, 1) from (key, i): splitmix64's finaliser of a counter-based stream, no
/// state, so any element can be drawn alone and the same key gives the same mask.
[[nodiscard]] constexpr double dropout_uniform(std::uint64_t key, std::size_t i) noexcept {
  std::uint64_t z = key + 0x9e3779b97f4a7c15ULL * (static_cast<std::uint64_t>(i) + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

}  // namespace spmd::local
