// A minimal user-defined local tensor: proves that spmd::tensor wraps any type modelling
// spmd::local_tensor, with the kernels it provides found by argument-dependent lookup.
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <vector>

namespace user {

/// A 1-dim tensor of doubles that supports only +, * and relu.
struct vec {
  using value_type = double;
  static constexpr std::size_t ndim = 1;
  std::vector<double> v;

  [[nodiscard]] std::array<std::size_t, 1> shape() const { return {v.size()}; }
  [[nodiscard]] double const* data() const { return v.data(); }
  friend bool operator==(vec const&, vec const&) = default;
};

inline vec add(vec const& a, vec const& b) {
  if (a.v.size() != b.v.size()) throw std::invalid_argument("user::add: sizes differ");
  vec out{a.v};
  for (std::size_t i = 0; i < out.v.size(); ++i) out.v[i] += b.v[i];
  return out;
}
inline vec mul(vec const& a, double s) {
  vec out{a.v};
  for (auto& x : out.v) x *= s;
  return out;
}
inline vec relu(vec const& a) {
  vec out{a.v};
  for (auto& x : out.v) x = x > 0 ? x : 0;
  return out;
}

}  // namespace user
