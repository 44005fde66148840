// spmd/local/dense_grad.hpp - local kernels that backward passes need: derivatives of pointwise
// ops and the reduction of a broadcast gradient back to an operand's shape.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include <spmd/local/dense.hpp>
#include <spmd/local/dense_elementwise.hpp>
#include <spmd/local/dense_shape.hpp>

namespace spmd::local {

/// g * gelu'(x) for the tanh approximation of GELU.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> gelu_backward(dense<T, Ndim> const& x, dense<T, Ndim> g) {
  if (x.shape() != g.shape()) detail::fail("gelu_backward", "shapes differ");
  T const c = static_cast<T>(0.7978845608028654);  // sqrt(2 / pi)
  T const k = static_cast<T>(0.044715);
  T const* xs = x.data();
  T* gs = g.data();
  for (std::size_t i = 0; i < g.size(); ++i) {
    T const v = xs[i];
    T const u = c * (v + k * v * v * v);
    T const t = std::tanh(u);
    T const du = c * (T{1} + T{3} * k * v * v);
    gs[i] *= T{0.5} * (T{1} + t) + T{0.5} * v * (T{1} - t * t) * du;
  }
  return g;
}

/// g where x > 0, else 0.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> relu_backward(dense<T, Ndim> const& x, dense<T, Ndim> g) {
  if (x.shape() != g.shape()) detail::fail("relu_backward", "shapes differ");
  for (std::size_t i = 0; i < g.size(); ++i)
    if (!(x.data()[i] > T{0})) g.data()[i] = T{0};
  return g;
}

/// g's gradient through y = softmax(x) along `dim`, from y: y * (g - sum_dim(g * y)).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> softmax_backward(dense<T, Ndim> const& y, dense<T, Ndim> g, std::size_t dim) {
  if (y.shape() != g.shape()) detail::fail("softmax_backward", "shapes differ");
  detail::check_dim("softmax_backward", dim, Ndim, y.shape());
  std::size_t const outer = detail::product_range(y.shape(), 0, dim), n = y.extent(dim),
                    inner = detail::product_range(y.shape(), dim + 1, Ndim);
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t i = 0; i < inner; ++i) {
      std::size_t const first = o * n * inner + i;
      T dot{0};
      for (std::size_t k = 0; k < n; ++k) dot += g.data()[first + k * inner] * y.data()[first + k * inner];
      for (std::size_t k = 0; k < n; ++k) {
        T& v = g.data()[first + k * inner];
        v = y.data()[first + k * inner] * (v - dot);
      }
    }
  return g;
}

/// Sums `g` over the dims where `shape` has extent 1 and g does not: the gradient of an operand
/// that was broadcast in the forward op.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> sum_to_shape(dense<T, Ndim> g, std::array<std::size_t, Ndim> const& shape) {
  for (std::size_t d = 0; d < Ndim; ++d) {
    if (g.shape()[d] == shape[d]) continue;
    if (shape[d] != 1) detail::fail("sum_to_shape", "dim " + std::to_string(d) + " is not broadcast");
    std::size_t outer = 1, inner = 1;
    for (std::size_t i = 0; i < d; ++i) outer *= g.shape()[i];
    for (std::size_t i = d + 1; i < Ndim; ++i) inner *= g.shape()[i];
    std::size_t const n = g.shape()[d];
    auto out_shape = g.shape();
    out_shape[d] = 1;
    dense<T, Ndim> out(out_shape, T{0});
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t k = 0; k < n; ++k)
        for (std::size_t i = 0; i < inner; ++i) out.data()[o * inner + i] += g.data()[(o * n + k) * inner + i];
    g = std::move(out);
  }
  return g;
}

/// g * sign(x) (0 where x is 0): the gradient through |x|.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> abs_backward(dense<T, Ndim> const& x, dense<T, Ndim> g) {
  if (x.shape() != g.shape()) detail::fail("abs_backward", "shapes differ");
  for (std::size_t i = 0; i < g.size(); ++i) {
    T const v = x.data()[i];
    g.data()[i] *= v > T{0} ? T{1} : (v < T{0} ? T{-1} : T{0});
  }
  return g;
}

/// g where lo <= x <= hi, else 0: the gradient through clamp(x, lo, hi).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> clamp_backward(dense<T, Ndim> const& x, dense<T, Ndim> g, std::type_identity_t<T> lo,
                                            std::type_identity_t<T> hi) {
  if (x.shape() != g.shape()) detail::fail("clamp_backward", "shapes differ");
  for (std::size_t i = 0; i < g.size(); ++i)
    if (!(x.data()[i] >= lo && x.data()[i] <= hi)) g.data()[i] = T{0};
  return g;
}

/// The gradient through y = log_softmax(x) along `dim`, from y: g - exp(y) * sum_dim(g).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> log_softmax_backward(dense<T, Ndim> const& y, dense<T, Ndim> g, std::size_t dim) {
  if (y.shape() != g.shape()) detail::fail("log_softmax_backward", "shapes differ");
  detail::check_dim("log_softmax_backward", dim, Ndim, y.shape());
  std::size_t const outer = detail::product_range(y.shape(), 0, dim), n = y.extent(dim),
                    inner = detail::product_range(y.shape(), dim + 1, Ndim);
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t i = 0; i < inner; ++i) {
      std::size_t const first = o * n * inner + i;
      T total{0};
      for (std::size_t k = 0; k < n; ++k) total += g.data()[first + k * inner];
      for (std::size_t k = 0; k < n; ++k) g.data()[first + k * inner] -= std::exp(y.data()[first + k * inner]) * total;
    }
  return g;
}

/// The share of g (of the result's shape) that max(a, b) (`larger` true) or min(a, b) (false)
/// passes to a: all of it where a wins, none where it loses, half at a tie. a and b broadcast to
/// g's shape; b may be a number.
template <class T, std::size_t Ndim, class B>
[[nodiscard]] dense<T, Ndim> extremum_backward(dense<T, Ndim> g, dense<T, Ndim> const& a, B const& b, bool larger) {
  auto const& shape = g.shape();
  auto reader = [&](auto const& x) {
    if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(x)>>) {
      return detail::where_operand<T, Ndim>(static_cast<T>(x));
    } else {
      for (std::size_t d = 0; d < Ndim; ++d)
        if (x.shape()[d] != shape[d] && x.shape()[d] != 1)
          detail::fail("extremum_backward", "an operand does not broadcast to the gradient's shape");
      return detail::where_operand<T, Ndim>(x, shape);
    }
  };
  auto const ra = reader(a), rb = reader(b);
  std::array<std::size_t, Ndim> idx{};
  for (std::size_t i = 0, n = g.size(); i < n; ++i) {
    T const v = ra.at(idx), other = rb.at(idx);
    T& gi = g.data()[i];
    if (v == other)
      gi *= T{0.5};
    else if ((v > other) != larger)
      gi = T{0};
    for (std::size_t d = Ndim; d-- > 0;)
      if (++idx[d] < shape[d])
        break;
      else
        idx[d] = 0;
  }
  return g;
}

}  // namespace spmd::local
