// Deterministic data for the checks of the untyped collectives, shared by the threads runtime's
// unit tests (tests/unit/test_threads_runtime.cpp) and the MPI tests (tests/mpi/runtime.cpp):
// every rank can compute any other rank's data, so each rank checks its result on its own.
#pragma once

#include <cstddef>
#include <random>
#include <vector>

namespace spmd_tests {

/// Deterministic random data of (group) rank `who` (any rank can compute any other rank's data).
template <class T>
std::vector<T> gen(unsigned seed, std::size_t who, std::size_t salt, std::size_t len) {
  std::mt19937_64 g(seed * 1000003ull + who * 7919ull + salt * 104729ull);
  std::uniform_real_distribution<double> d(-1.0, 1.0);
  std::vector<T> v(len);
  for (auto& x : v) x = T(d(g));
  return v;
}

/// Uneven counts for a group of n, with zeros from n = 4 on: {3, 1, 2, 0, 5} * scale.
inline std::vector<std::size_t> uneven_counts(std::size_t n, std::size_t scale) {
  static constexpr std::size_t pattern[] = {3, 1, 2, 0, 5};
  std::vector<std::size_t> c(n);
  for (std::size_t i = 0; i < n; ++i) c[i] = pattern[i % 5] * scale;
  return c;
}

inline std::size_t sum(std::vector<std::size_t> const& c) {
  std::size_t t = 0;
  for (auto x : c) t += x;
  return t;
}

}  // namespace spmd_tests
