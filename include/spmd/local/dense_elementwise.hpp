// spmd/local/dense_elementwise.hpp - unary and binary elementwise kernels for local::dense.
#pragma once

#include <spmd/local/dense.hpp>
#include <spmd/local/dropout_mask.hpp>

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace spmd::local {

namespace detail {

/// Applies `f` to every element in place. Kernels take their operand by value so that an
/// rvalue argument is reused instead of allocating a new buffer.
template <class T, std::size_t Ndim, class F>
[[nodiscard]] dense<T, Ndim> map_inplace(dense<T, Ndim> x, F f) {
  T* p = x.data();
  for (std::size_t i = 0, n = x.size(); i < n; ++i) p[i] = f(p[i]);
  return x;
}

/// out[i] = f(a[i'], b[i'']) with broadcasting into `po` (the buffer of `shape`, which may be a's
/// own when a has that shape: each element of a is read before its place is written). The fast
/// paths are the common equal-shape case and a one-element operand.
template <class T, std::size_t Ndim, class F>
void zip_into(T* po, std::array<std::size_t, Ndim> const& shape, dense<T, Ndim> const& a, dense<T, Ndim> const& b,
              F f) {
  T const* pa = a.data();
  T const* pb = b.data();
  std::size_t const n = product(shape);
  if (a.shape() == b.shape()) {
    for (std::size_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i]);
    return;
  }
  if (b.size() == 1 && a.shape() == shape) {
    T const v = pb[0];
    for (std::size_t i = 0; i < n; ++i) po[i] = f(pa[i], v);
    return;
  }
  if (a.size() == 1 && b.shape() == shape) {
    T const v = pa[0];
    for (std::size_t i = 0; i < n; ++i) po[i] = f(v, pb[i]);
    return;
  }
  if constexpr (Ndim > 0) {
    if (n == 0) return;
    // Broadcast dims get stride 0 so the same element is re-read along them.
    auto sa = row_major_strides(a.shape());
    auto sb = row_major_strides(b.shape());
    for (std::size_t d = 0; d < Ndim; ++d) {
      if (a.shape()[d] != shape[d]) sa[d] = 0;
      if (b.shape()[d] != shape[d]) sb[d] = 0;
    }
    // Odometer over the output index; the innermost dim is a plain strided loop.
    std::array<std::size_t, Ndim> idx{};
    std::size_t oa = 0, ob = 0, i = 0;
    std::size_t const inner = shape[Ndim - 1], ia = sa[Ndim - 1], ib = sb[Ndim - 1];
    while (i < n) {
      for (std::size_t k = 0; k < inner; ++k) po[i++] = f(pa[oa + k * ia], pb[ob + k * ib]);
      std::size_t d = Ndim - 1;
      while (d-- > 0) {
        oa += sa[d];
        ob += sb[d];
        if (++idx[d] < shape[d]) break;
        oa -= sa[d] * shape[d];
        ob -= sb[d] * shape[d];
        idx[d] = 0;
      }
    }
  }
}

/// out[i] = f(a[i'], b[i'']) with broadcasting, in a new tensor.
template <class T, std::size_t Ndim, class F>
[[nodiscard]] dense<T, Ndim> zip(std::string_view op, dense<T, Ndim> const& a, dense<T, Ndim> const& b, F f) {
  auto const shape = broadcast_shape(op, a.shape(), b.shape());
  dense<T, Ndim> out(shape);
  zip_into(out.data(), shape, a, b, f);
  return out;
}
/// The same, in a's buffer when a already has the result's shape (no allocation).
template <class T, std::size_t Ndim, class F>
[[nodiscard]] dense<T, Ndim> zip(std::string_view op, dense<T, Ndim>&& a, dense<T, Ndim> const& b, F f) {
  auto const shape = broadcast_shape(op, a.shape(), b.shape());
  if (shape != a.shape()) return zip(op, static_cast<dense<T, Ndim> const&>(a), b, f);
  zip_into(a.data(), shape, a, b, f);
  return std::move(a);
}

}  // namespace detail

// ---- unary -----------------------------------------------------------------------------

/// Elementwise negation.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> neg(dense<T, Ndim> x) {
  return detail::map_inplace(std::move(x), [](T v) { return -v; });
}

/// Elementwise e^x.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> exp(dense<T, Ndim> x) {
  return detail::map_inplace(std::move(x), [](T v) { return std::exp(v); });
}

/// Elementwise natural logarithm.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> log(dense<T, Ndim> x) {
  return detail::map_inplace(std::move(x), [](T v) { return std::log(v); });
}

/// Elementwise hyperbolic tangent.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> tanh(dense<T, Ndim> x) {
  return detail::map_inplace(std::move(x), [](T v) { return std::tanh(v); });
}

/// Elementwise max(x, 0).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> relu(dense<T, Ndim> x) {
  return detail::map_inplace(std::move(x), [](T v) { return v > T{0} ? v : T{0}; });
}

/// Elementwise GELU, tanh approximation (as in GPT-2):
/// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> gelu(dense<T, Ndim> x) {
  constexpr T c = static_cast<T>(0.7978845608028654);  // sqrt(2 / pi)
  constexpr T k = static_cast<T>(0.044715);
  return detail::map_inplace(std::move(x),
                             [](T v) { return T{0.5} * v * (T{1} + std::tanh(c * (v + k * v * v * v))); });
}

/// Elementwise square root.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> sqrt(dense<T, Ndim> x) {
  return detail::map_inplace(std::move(x), [](T v) { return std::sqrt(v); });
}

/// Elementwise |x|.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> abs(dense<T, Ndim> x) {
  return detail::map_inplace(std::move(x), [](T v) { return std::abs(v); });
}

/// Elementwise 1 / sqrt(x).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> rsqrt(dense<T, Ndim> x) {
  return detail::map_inplace(std::move(x), [](T v) { return T{1} / std::sqrt(v); });
}

/// Elementwise x^p.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> pow(dense<T, Ndim> x, std::type_identity_t<T> p) {
  return detail::map_inplace(std::move(x), [p](T v) { return std::pow(v, p); });
}

/// Elementwise min(max(x, lo), hi).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> clamp(dense<T, Ndim> x, std::type_identity_t<T> lo, std::type_identity_t<T> hi) {
  if (!(lo <= hi)) detail::fail("clamp", "the lower bound is above the upper bound");
  return detail::map_inplace(std::move(x), [lo, hi](T v) { return v < lo ? lo : (v > hi ? hi : v); });
}

/// x * mask / (1 - p): element i is kept when dropout_uniform(key, i) (local/dropout_mask.hpp) is
/// at least p. The same key gives the same mask.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> dropout(dense<T, Ndim> x, double p, std::uint64_t key) {
  if (!(p >= 0.0 && p < 1.0)) detail::fail("dropout", "p must be in [0, 1)");
  T const scale = static_cast<T>(1.0 / (1.0 - p));
  T* v = x.data();
  for (std::size_t i = 0, n = x.size(); i < n; ++i) {
    v[i] = dropout_uniform(key, i) < p ? T{0} : v[i] * scale;
  }
  return x;
}

// ---- binary ----------------------------------------------------------------------------
// The scalar parameter is std::type_identity_t<T> so that `add(x, 2.0)` works for float x.

/// Elementwise a + b with broadcasting between equal numbers of dims of extents equal to 1.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> add(dense<T, Ndim> const& a, dense<T, Ndim> const& b) {
  return detail::zip("add", a, b, [](T x, T y) { return x + y; });
}
/// The same into a's buffer, for an rvalue a of the result's shape (e.g. a sum accumulated in place).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> add(dense<T, Ndim>&& a, dense<T, Ndim> const& b) {
  return detail::zip("add", std::move(a), b, [](T x, T y) { return x + y; });
}
/// Elementwise a + s.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> add(dense<T, Ndim> a, std::type_identity_t<T> s) {
  return detail::map_inplace(std::move(a), [s](T x) { return x + s; });
}
/// Elementwise s + b.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> add(std::type_identity_t<T> s, dense<T, Ndim> b) {
  return detail::map_inplace(std::move(b), [s](T x) { return s + x; });
}

/// Elementwise a - b with broadcasting between equal numbers of dims of extents equal to 1.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> sub(dense<T, Ndim> const& a, dense<T, Ndim> const& b) {
  return detail::zip("sub", a, b, [](T x, T y) { return x - y; });
}
/// The same into a's buffer, for an rvalue a of the result's shape (e.g. a sum accumulated in place).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> sub(dense<T, Ndim>&& a, dense<T, Ndim> const& b) {
  return detail::zip("sub", std::move(a), b, [](T x, T y) { return x - y; });
}
/// Elementwise a - s.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> sub(dense<T, Ndim> a, std::type_identity_t<T> s) {
  return detail::map_inplace(std::move(a), [s](T x) { return x - s; });
}
/// Elementwise s - b.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> sub(std::type_identity_t<T> s, dense<T, Ndim> b) {
  return detail::map_inplace(std::move(b), [s](T x) { return s - x; });
}

/// Elementwise a * b with broadcasting between equal numbers of dims of extents equal to 1.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> mul(dense<T, Ndim> const& a, dense<T, Ndim> const& b) {
  return detail::zip("mul", a, b, [](T x, T y) { return x * y; });
}
/// The same into a's buffer, for an rvalue a of the result's shape (e.g. a sum accumulated in place).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> mul(dense<T, Ndim>&& a, dense<T, Ndim> const& b) {
  return detail::zip("mul", std::move(a), b, [](T x, T y) { return x * y; });
}
/// Elementwise a * s.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> mul(dense<T, Ndim> a, std::type_identity_t<T> s) {
  return detail::map_inplace(std::move(a), [s](T x) { return x * s; });
}
/// Elementwise s * b.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> mul(std::type_identity_t<T> s, dense<T, Ndim> b) {
  return detail::map_inplace(std::move(b), [s](T x) { return s * x; });
}

/// Elementwise a / b with broadcasting between equal numbers of dims of extents equal to 1.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> div(dense<T, Ndim> const& a, dense<T, Ndim> const& b) {
  return detail::zip("div", a, b, [](T x, T y) { return x / y; });
}
/// The same into a's buffer, for an rvalue a of the result's shape (e.g. a sum accumulated in place).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> div(dense<T, Ndim>&& a, dense<T, Ndim> const& b) {
  return detail::zip("div", std::move(a), b, [](T x, T y) { return x / y; });
}
/// Elementwise a / s.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> div(dense<T, Ndim> a, std::type_identity_t<T> s) {
  return detail::map_inplace(std::move(a), [s](T x) { return x / s; });
}
/// Elementwise s / b.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> div(std::type_identity_t<T> s, dense<T, Ndim> b) {
  return detail::map_inplace(std::move(b), [s](T x) { return s / x; });
}

/// Elementwise max(a, b) with broadcasting between equal numbers of dims; a number on either side.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> maximum(dense<T, Ndim> const& a, dense<T, Ndim> const& b) {
  return detail::zip("maximum", a, b, [](T x, T y) { return x < y ? y : x; });
}
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> maximum(dense<T, Ndim> a, std::type_identity_t<T> s) {
  return detail::map_inplace(std::move(a), [s](T x) { return x < s ? s : x; });
}
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> maximum(std::type_identity_t<T> s, dense<T, Ndim> b) {
  return maximum(std::move(b), s);
}

/// Elementwise min(a, b) with broadcasting between equal numbers of dims; a number on either side.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> minimum(dense<T, Ndim> const& a, dense<T, Ndim> const& b) {
  return detail::zip("minimum", a, b, [](T x, T y) { return y < x ? y : x; });
}
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> minimum(dense<T, Ndim> a, std::type_identity_t<T> s) {
  return detail::map_inplace(std::move(a), [s](T x) { return s < x ? s : x; });
}
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> minimum(std::type_identity_t<T> s, dense<T, Ndim> b) {
  return minimum(std::move(b), s);
}

namespace detail {
/// An operand of `where`: a tensor, read with broadcasting, or a number.
template <class T, std::size_t Ndim>
struct where_operand {
  T const* data = nullptr;
  std::array<std::size_t, Ndim> strides{};
  T value{};
  where_operand(dense<T, Ndim> const& x, std::array<std::size_t, Ndim> const& shape)
      : data(x.data()), strides(row_major_strides(x.shape())) {
    for (std::size_t d = 0; d < Ndim; ++d)
      if (x.shape()[d] != shape[d]) strides[d] = 0;
  }
  explicit where_operand(T v) : value(v) {}
  /// The element at multi-index `idx` of the broadcast shape.
  [[nodiscard]] T at(std::array<std::size_t, Ndim> const& idx) const {
    if (data == nullptr) return value;
    std::size_t off = 0;
    for (std::size_t d = 0; d < Ndim; ++d) off += idx[d] * strides[d];
    return data[off];
  }
};

template <std::size_t Ndim, class T>
std::array<std::size_t, Ndim> shape_of(dense<T, Ndim> const& x) {
  return x.shape();
}
template <std::size_t Ndim, class T>
  requires std::is_arithmetic_v<T> std::array<std::size_t, Ndim> shape_of(T) {
    std::array<std::size_t, Ndim> s{};
    s.fill(1);
    return s;
  }

template <class T, std::size_t Ndim, class A, class B>
[[nodiscard]] dense<T, Ndim> where_impl(dense<T, Ndim> const& mask, A const& a, B const& b) {
  auto shape = broadcast_shape("where", mask.shape(), broadcast_shape("where", shape_of<Ndim>(a), shape_of<Ndim>(b)));
  auto make = [&](auto const& x) {
    if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(x)>>)
      return where_operand<T, Ndim>(static_cast<T>(x));
    else
      return where_operand<T, Ndim>(x, shape);
  };
  where_operand<T, Ndim> const m = make(mask), pa = make(a), pb = make(b);
  dense<T, Ndim> out(shape);
  std::array<std::size_t, Ndim> idx{};
  for (std::size_t i = 0, n = out.size(); i < n; ++i) {
    out.data()[i] = m.at(idx) != T{0} ? pa.at(idx) : pb.at(idx);
    for (std::size_t d = Ndim; d-- > 0;)
      if (++idx[d] < shape[d])
        break;
      else
        idx[d] = 0;
  }
  return out;
}
}  // namespace detail

/// Elementwise `mask != 0 ? a : b`, with broadcasting between equal numbers of dims of all three; a or b may be a
/// number. The mask has the element type of a and b (1 and 0).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> where(dense<T, Ndim> const& mask, dense<T, Ndim> const& a, dense<T, Ndim> const& b) {
  return detail::where_impl(mask, a, b);
}
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> where(dense<T, Ndim> const& mask, dense<T, Ndim> const& a, std::type_identity_t<T> b) {
  return detail::where_impl(mask, a, b);
}
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> where(dense<T, Ndim> const& mask, std::type_identity_t<T> a, dense<T, Ndim> const& b) {
  return detail::where_impl(mask, a, b);
}

}  // namespace spmd::local
