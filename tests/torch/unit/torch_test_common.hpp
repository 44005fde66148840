// Shared by the spmd::torch_tensor tests: converting between local::dense and torch_tensor, typed
// tensors of either local type with the same mesh and layout, and comparisons.
#pragma once

// libtorch first: its c10/util/Logging.h defines a CHECK macro of its own (log and abort) that
// would replace Catch2's if it came second.
#include <spmd/dense.hpp>
#include <spmd/torch.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "../../common/dense_helpers.hpp"

namespace torch_test {

using namespace spmd;

template <std::size_t N>
using D = local::dense<double, N>;
template <class T, std::size_t N>
using TT = aten::torch_tensor<T, N>;
using M1 = mesh<"tp">;

/// A dense tensor as a torch_tensor of element type T (element by element, row-major).
template <class T = double, std::size_t N>
TT<T, N> to_torch(D<N> const& d) {
  std::vector<T> v(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) v[i] = static_cast<T>(d.data()[i]);
  return TT<T, N>(d.shape(), v);
}

/// A torch_tensor as a dense tensor of doubles.
template <class T, std::size_t N>
D<N> to_dense(TT<T, N> const& t) {
  D<N> d(t.shape());
  for (std::size_t i = 0; i < d.size(); ++i) d.data()[i] = static_cast<double>(t.data()[i]);
  return d;
}
template <std::size_t N>
D<N> to_dense(D<N> const& d) {
  return d;
}

/// The typed tensor over torch_tensor<T, rank> with X's mesh and layout.
template <class X, class T = double>
using torch_of = tensor<TT<T, X::local_type::ndim>, typename X::mesh_type, typename X::layout_type>;

/// A typed dense tensor as the same typed tensor over torch_tensor; other arguments unchanged.
template <class T = double, class A>
decltype(auto) as_torch(A const& a) {
  if constexpr (typed_tensor<A>)
    return torch_of<A, T>{to_torch<T>(a.local())};
  else
    return (a);
}

/// The largest |a - b| / max(1, |b|) over the elements; infinity if the shapes differ.
template <std::size_t N>
double max_rel_diff(D<N> const& a, D<N> const& b) {
  if (a.shape() != b.shape()) return INFINITY;
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    double const x = a.data()[i], y = b.data()[i];
    if (std::isnan(x) != std::isnan(y)) return INFINITY;
    if (!std::isnan(x)) m = std::max(m, std::abs(x - y) / std::max(1.0, std::abs(y)));
  }
  return m;
}

/// A tensor of extents `shape` with smooth, distinct values: offset + scale * sin(0.7 i + shift).
template <std::size_t N>
D<N> filled(std::array<std::size_t, N> shape, double scale = 1.0, double shift = 0.0, double offset = 0.0) {
  D<N> m(shape);
  for (std::size_t i = 0; i < m.size(); ++i)
    m.data()[i] = offset + scale * std::sin(0.7 * static_cast<double>(i) + shift);
  return m;
}

}  // namespace torch_test
