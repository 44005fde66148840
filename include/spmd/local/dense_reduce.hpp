// spmd/local/dense_reduce.hpp - reductions over one dimension for local::dense:
// sum, mean, softmax, log_softmax.
#pragma once

#include <spmd/local/dense.hpp>
#include <spmd/local/dense_shape.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

namespace spmd::local {

/// Sum over dimension `dim`, which is removed (one dim gives a 0-dim scalar tensor).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim - 1> sum(dense<T, Ndim> const& x, std::size_t dim) {
  static_assert(Ndim >= 1, "spmd: sum needs at least 1 dim");
  detail::check_dim("sum", dim, Ndim, x.shape());
  std::array<std::size_t, Ndim - 1> shape{};
  for (std::size_t d = 0, s = 0; d < Ndim; ++d)
    if (d != dim && s < Ndim - 1) shape[s++] = x.shape()[d];  // s < Ndim - 1 holds once dim < Ndim is checked
  dense<T, Ndim - 1> out(shape);
  std::size_t const outer = detail::product_range(x.shape(), 0, dim), n = x.extent(dim),
                    inner = detail::product_range(x.shape(), dim + 1, Ndim);
  T const* src = x.data();
  T* dst = out.data();
  // Loop order o, k, i keeps both reads and the accumulation row contiguous.
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t k = 0; k < n; ++k) {
      T const* p = src + (o * n + k) * inner;
      T* q = dst + o * inner;
      for (std::size_t i = 0; i < inner; ++i) q[i] += p[i];
    }
  return out;
}

/// Mean over dimension `dim`, which is removed (an empty dimension yields NaN, as 0/0).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim - 1> mean(dense<T, Ndim> const& x, std::size_t dim) {
  static_assert(Ndim >= 1, "spmd: mean needs at least 1 dim");
  detail::check_dim("mean", dim, Ndim, x.shape());
  auto out = sum(x, dim);
  T const n = static_cast<T>(x.extent(dim));
  T* p = out.data();
  for (std::size_t i = 0, m = out.size(); i < m; ++i) p[i] /= n;
  return out;
}

namespace detail {
/// Calls `f(slab, n, inner, mx)` for each slab [n, inner] of x along `dim`, with mx[i] the maximum
/// of slab column i: the shared part of softmax and log_softmax, which subtract it for stability.
template <class T, std::size_t Ndim, class F>
[[nodiscard]] dense<T, Ndim> along_with_max(std::string_view op, dense<T, Ndim> x, std::size_t dim, F f) {
  check_dim(op, dim, Ndim, x.shape());
  std::size_t const outer = product_range(x.shape(), 0, dim), n = x.extent(dim),
                    inner = product_range(x.shape(), dim + 1, Ndim);
  if (n == 0 || inner == 0) return x;
  std::vector<T> mx(inner);
  for (std::size_t o = 0; o < outer; ++o) {
    T* slab = x.data() + o * n * inner;
    std::fill(mx.begin(), mx.end(), -std::numeric_limits<T>::infinity());
    for (std::size_t k = 0; k < n; ++k)
      for (std::size_t i = 0; i < inner; ++i) mx[i] = std::max(mx[i], slab[k * inner + i]);
    f(slab, n, inner, mx);
  }
  return x;
}
}  // namespace detail

/// Softmax along `dim`; subtracts the per-slice maximum first so exp never overflows.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> softmax(dense<T, Ndim> x, std::size_t dim) {
  static_assert(Ndim >= 1, "spmd: softmax needs at least 1 dim");
  return detail::along_with_max("softmax", std::move(x), dim,
                                [](T* slab, std::size_t n, std::size_t inner, std::vector<T> const& mx) {
                                  std::vector<T> total(inner, T{0});
                                  for (std::size_t k = 0; k < n; ++k)
                                    for (std::size_t i = 0; i < inner; ++i) {
                                      T& v = slab[k * inner + i];
                                      v = std::exp(v - mx[i]);
                                      total[i] += v;
                                    }
                                  for (std::size_t k = 0; k < n; ++k)
                                    for (std::size_t i = 0; i < inner; ++i) slab[k * inner + i] /= total[i];
                                });
}

/// log(softmax(x)) along `dim`: x - max - log(sum exp(x - max)), exact where softmax underflows.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> log_softmax(dense<T, Ndim> x, std::size_t dim) {
  static_assert(Ndim >= 1, "spmd: log_softmax needs at least 1 dim");
  return detail::along_with_max("log_softmax", std::move(x), dim,
                                [](T* slab, std::size_t n, std::size_t inner, std::vector<T> const& mx) {
                                  std::vector<T> shift(inner, T{0});
                                  for (std::size_t k = 0; k < n; ++k)
                                    for (std::size_t i = 0; i < inner; ++i)
                                      shift[i] += std::exp(slab[k * inner + i] - mx[i]);
                                  for (std::size_t i = 0; i < inner; ++i) shift[i] = mx[i] + std::log(shift[i]);
                                  for (std::size_t k = 0; k < n; ++k)
                                    for (std::size_t i = 0; i < inner; ++i) slab[k * inner + i] -= shift[i];
                                });
}

}  // namespace spmd::local
