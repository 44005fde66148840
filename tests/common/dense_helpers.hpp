// Helpers of the local::dense unit tests: random tensors and the tolerance per element type.
#pragma once

#include <array>
#include <cstddef>
#include <random>
#include <type_traits>
#include <utility>
#include <vector>

#include <spmd/local/dense.hpp>

namespace spmd_tests {

/// The comparison tolerance of a result computed in element type T.
template <class T>
inline constexpr T tol = std::is_same_v<T, float> ? T(1e-5) : T(1e-12);

/// A dense tensor of the given shape with elements drawn uniformly from [lo, hi).
template <class T, std::size_t Ndim>
spmd::local::dense<T, Ndim> random_dense(std::array<std::size_t, Ndim> shape, std::mt19937& gen, T lo = T(-1),
                                         T hi = T(1)) {
  std::size_t n = 1;
  for (auto e : shape) n *= e;
  std::uniform_real_distribution<T> dist(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = dist(gen);
  return spmd::local::dense<T, Ndim>(shape, std::move(v));
}

}  // namespace spmd_tests
