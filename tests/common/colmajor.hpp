// A second local tensor type for the tests, unlike local::dense where it matters: data() is
// column-major (the first index fastest) and every kernel is a plain loop of its own (no Eigen).
// Ranks 0 to 2 (sum_all reduces a matrix to a scalar and unsqueezes it back). It models
// spmd::buffer_tensor and spmd::differentiable_tensor but, at rank 2, not spmd::row_major_tensor:
// all_reduce and the converts that keep or zero data work on it, the collectives that cut shards
// out of data() refuse it at compile time.
#pragma once

#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace user {

namespace detail {

template <std::size_t Ndim>
std::size_t count(std::array<std::size_t, Ndim> const& s) {
  std::size_t n = 1;
  for (std::size_t e : s) n *= e;
  return n;
}

template <std::size_t Ndim>
std::string text(std::array<std::size_t, Ndim> const& s) {
  std::string t = "[";
  for (std::size_t d = 0; d < Ndim; ++d) t += (d ? ", " : "") + std::to_string(s[d]);
  return t + "]";
}

[[noreturn]] inline void fail(char const* op, std::string const& what) {
  throw std::invalid_argument(std::string("user::colmajor: ") + op + ": " + what);
}

/// Calls f(index, offset) for every multi-index of `shape` in column-major order, where offset
/// is the index's position in a column-major buffer of that shape.
template <std::size_t Ndim, class F>
void for_each_index(std::array<std::size_t, Ndim> const& shape, F&& f) {
  std::array<std::size_t, Ndim> idx{};
  for (std::size_t k = 0, n = count(shape); k < n; ++k) {
    f(std::as_const(idx), k);
    for (std::size_t d = 0; d < Ndim; ++d) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

/// The multi-index of the f-th element of `shape` in row-major order (the logical order that
/// reshape keeps, whatever the memory order).
template <std::size_t Ndim>
std::array<std::size_t, Ndim> row_major_index(std::size_t f, std::array<std::size_t, Ndim> const& shape) {
  std::array<std::size_t, Ndim> idx{};
  for (std::size_t d = Ndim; d-- > 0;) {
    idx[d] = f % shape[d];
    f /= shape[d];
  }
  return idx;
}

}  // namespace detail

/// A column-major tensor of rank 0, 1 or 2 holding float or double.
template <class T, std::size_t Ndim = 2>
class colmajor {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "user::colmajor holds float or double");
  static_assert(Ndim <= 2, "user::colmajor holds scalars, vectors and matrices");

 public:
  using value_type = T;
  static constexpr std::size_t ndim = Ndim;
  using shape_type = std::array<std::size_t, Ndim>;
  // No `row_major` member: at rank 2 the element order is column-major.

  colmajor() : values_(detail::count(shape_type{})) {}
  explicit colmajor(shape_type shape, T fill = T{}) : shape_(shape), values_(detail::count(shape), fill) {}

  [[nodiscard]] shape_type const& shape() const noexcept { return shape_; }
  [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
  [[nodiscard]] T* data() noexcept { return values_.data(); }
  [[nodiscard]] T const* data() const noexcept { return values_.data(); }

  /// Position of a multi-index in data(): the first index fastest.
  [[nodiscard]] std::size_t offset(shape_type const& idx) const noexcept {
    std::size_t off = 0, stride = 1;
    for (std::size_t d = 0; d < Ndim; ++d) {
      off += idx[d] * stride;
      stride *= shape_[d];
    }
    return off;
  }
  [[nodiscard]] T& operator[](shape_type const& idx) noexcept { return values_[offset(idx)]; }
  [[nodiscard]] T const& operator[](shape_type const& idx) const noexcept { return values_[offset(idx)]; }
  template <std::integral... Ix>
    requires(sizeof...(Ix) == Ndim)
  [[nodiscard]] T& operator()(Ix... ix) noexcept { return (*this)[shape_type{static_cast<std::size_t>(ix)...}]; }
  template <std::integral... Ix>
    requires(sizeof...(Ix) == Ndim)
  [[nodiscard]] T const& operator()(Ix... ix) const noexcept {
    return (*this)[shape_type{static_cast<std::size_t>(ix)...}];
  }

  friend bool operator==(colmajor const&, colmajor const&) = default;

 private:
  shape_type shape_{};
  std::vector<T> values_;
};

namespace detail {

template <class T, std::size_t Ndim, class F>
colmajor<T, Ndim> map(colmajor<T, Ndim> x, F f) {
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = f(x.data()[i]);
  return x;
}

/// f(a, b) elementwise, broadcasting extents of 1 between a and b.
template <class T, std::size_t Ndim, class F>
colmajor<T, Ndim> zip(char const* op, colmajor<T, Ndim> const& a, colmajor<T, Ndim> const& b, F f) {
  std::array<std::size_t, Ndim> shape{};
  for (std::size_t d = 0; d < Ndim; ++d) {
    std::size_t const ea = a.shape()[d], eb = b.shape()[d];
    if (ea != eb && ea != 1 && eb != 1)
      fail(op, "shapes " + text(a.shape()) + " and " + text(b.shape()) + " do not broadcast");
    shape[d] = ea == 1 ? eb : ea;
  }
  colmajor<T, Ndim> out(shape);
  for_each_index(shape, [&](std::array<std::size_t, Ndim> const& idx, std::size_t k) {
    auto ia = idx, ib = idx;
    for (std::size_t d = 0; d < Ndim; ++d) {
      if (a.shape()[d] == 1) ia[d] = 0;
      if (b.shape()[d] == 1) ib[d] = 0;
    }
    out.data()[k] = f(a[ia], b[ib]);
  });
  return out;
}

template <class T, std::size_t Ndim>
void same_shape(char const* op, colmajor<T, Ndim> const& a, colmajor<T, Ndim> const& b) {
  if (a.shape() != b.shape()) fail(op, "shapes " + text(a.shape()) + " and " + text(b.shape()) + " differ");
}

}  // namespace detail

// ---- elementwise ---------------------------------------------------------------------------------

template <class T, std::size_t Ndim>
colmajor<T, Ndim> neg(colmajor<T, Ndim> x) {
  return detail::map(std::move(x), [](T v) { return -v; });
}
template <class T, std::size_t Ndim>
colmajor<T, Ndim> exp(colmajor<T, Ndim> x) {
  return detail::map(std::move(x), [](T v) { return std::exp(v); });
}
template <class T, std::size_t Ndim>
colmajor<T, Ndim> tanh(colmajor<T, Ndim> x) {
  return detail::map(std::move(x), [](T v) { return std::tanh(v); });
}
template <class T, std::size_t Ndim>
colmajor<T, Ndim> relu(colmajor<T, Ndim> x) {
  return detail::map(std::move(x), [](T v) { return v > T{0} ? v : T{0}; });
}
/// GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
template <class T, std::size_t Ndim>
colmajor<T, Ndim> gelu(colmajor<T, Ndim> x) {
  return detail::map(std::move(x), [](T v) {
    T const c = T(0.7978845608028654), k = T(0.044715);
    return T(0.5) * v * (T(1) + std::tanh(c * (v + k * v * v * v)));
  });
}

/// g * gelu'(x).
template <class T, std::size_t Ndim>
colmajor<T, Ndim> gelu_backward(colmajor<T, Ndim> const& x, colmajor<T, Ndim> g) {
  detail::same_shape("gelu_backward", x, g);
  T const c = T(0.7978845608028654), k = T(0.044715);
  for (std::size_t i = 0; i < g.size(); ++i) {
    T const v = x.data()[i], t = std::tanh(c * (v + k * v * v * v));
    g.data()[i] *= T(0.5) * (T(1) + t) + T(0.5) * v * (T(1) - t * t) * c * (T(1) + T(3) * k * v * v);
  }
  return g;
}
/// g where x > 0, else 0.
template <class T, std::size_t Ndim>
colmajor<T, Ndim> relu_backward(colmajor<T, Ndim> const& x, colmajor<T, Ndim> g) {
  detail::same_shape("relu_backward", x, g);
  for (std::size_t i = 0; i < g.size(); ++i)
    if (!(x.data()[i] > T(0))) g.data()[i] = T(0);
  return g;
}

// Tensor with tensor (broadcasting extents of 1), tensor with number, number with tensor.
#define USER_COLMAJOR_BINARY(name, expr)                                           \
  template <class T, std::size_t Ndim>                                             \
  colmajor<T, Ndim> name(colmajor<T, Ndim> const& a, colmajor<T, Ndim> const& b) { \
    return detail::zip(#name, a, b, [](T x, T y) { return expr; });                \
  }                                                                                \
  template <class T, std::size_t Ndim>                                             \
  colmajor<T, Ndim> name(colmajor<T, Ndim> a, std::type_identity_t<T> s) {         \
    return detail::map(std::move(a), [s](T x) {                                    \
      T const y = s;                                                               \
      return expr;                                                                 \
    });                                                                            \
  }                                                                                \
  template <class T, std::size_t Ndim>                                             \
  colmajor<T, Ndim> name(std::type_identity_t<T> s, colmajor<T, Ndim> b) {         \
    return detail::map(std::move(b), [s](T y) {                                    \
      T const x = s;                                                               \
      return expr;                                                                 \
    });                                                                            \
  }
USER_COLMAJOR_BINARY(add, x + y)
USER_COLMAJOR_BINARY(sub, x - y)
USER_COLMAJOR_BINARY(mul, x* y)
USER_COLMAJOR_BINARY(div, x / y)
#undef USER_COLMAJOR_BINARY

// ---- matrices ------------------------------------------------------------------------------------

/// [m, k] @ [k, n], column by column.
template <class T>
colmajor<T, 2> matmul(colmajor<T, 2> const& a, colmajor<T, 2> const& b) {
  std::size_t const m = a.shape()[0], kk = a.shape()[1], n = b.shape()[1];
  if (b.shape()[0] != kk)
    detail::fail("matmul", "shapes " + detail::text(a.shape()) + " and " + detail::text(b.shape()));
  colmajor<T, 2> c({m, n}, T(0));
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t k = 0; k < kk; ++k) {
      T const bkj = b.data()[k + j * kk];
      for (std::size_t i = 0; i < m; ++i) c.data()[i + j * m] += a.data()[i + k * m] * bkj;
    }
  return c;
}

template <class T, std::size_t Ndim>
colmajor<T, Ndim> transpose(colmajor<T, Ndim> const& x, std::size_t d0, std::size_t d1) {
  if (d0 >= Ndim || d1 >= Ndim) detail::fail("transpose", "dim out of range for " + detail::text(x.shape()));
  if (d0 == d1) return x;
  auto shape = x.shape();
  std::swap(shape[d0], shape[d1]);
  colmajor<T, Ndim> out(shape);
  detail::for_each_index(x.shape(), [&](std::array<std::size_t, Ndim> const& idx, std::size_t k) {
    auto to = idx;
    std::swap(to[d0], to[d1]);
    out[to] = x.data()[k];
  });
  return out;
}

/// The same elements in the same logical (row-major) order, with another shape: a reshape is a
/// statement about the logical tensor, so a column-major type moves its data to keep it.
template <std::size_t N, class T, std::size_t Ndim>
colmajor<T, N> reshape(colmajor<T, Ndim> const& x, std::array<std::size_t, N> shape) {
  if (detail::count(shape) != x.size())
    detail::fail("reshape", "cannot reshape " + detail::text(x.shape()) + " to " + detail::text(shape));
  colmajor<T, N> out(shape);
  for (std::size_t f = 0; f < x.size(); ++f)
    out[detail::row_major_index(f, shape)] = x[detail::row_major_index(f, x.shape())];
  return out;
}

/// Sum over `dim`, which is removed.
template <class T, std::size_t Ndim>
colmajor<T, Ndim - 1> sum(colmajor<T, Ndim> const& x, std::size_t dim) {
  static_assert(Ndim >= 1, "user::colmajor: sum needs at least 1 dim");
  if (dim >= Ndim) detail::fail("sum", "dim out of range for " + detail::text(x.shape()));
  std::array<std::size_t, Ndim - 1> shape{};
  for (std::size_t d = 0, s = 0; d < Ndim; ++d)
    if (d != dim) shape[s++] = x.shape()[d];
  colmajor<T, Ndim - 1> out(shape, T(0));
  detail::for_each_index(x.shape(), [&](std::array<std::size_t, Ndim> const& idx, std::size_t k) {
    std::array<std::size_t, Ndim - 1> to{};
    for (std::size_t d = 0, s = 0; d < Ndim; ++d)
      if (d != dim) to[s++] = idx[d];
    out[to] += x.data()[k];
  });
  return out;
}

/// A new dim of extent 1 at `dim`.
template <class T, std::size_t Ndim>
colmajor<T, Ndim + 1> unsqueeze(colmajor<T, Ndim> const& x, std::size_t dim) {
  if (dim > Ndim) detail::fail("unsqueeze", "dim out of range for " + detail::text(x.shape()));
  std::array<std::size_t, Ndim + 1> shape{};
  for (std::size_t d = 0, s = 0; d <= Ndim; ++d) shape[d] = d == dim ? 1 : x.shape()[s++];
  colmajor<T, Ndim + 1> out(shape);
  detail::for_each_index(x.shape(), [&](std::array<std::size_t, Ndim> const& idx, std::size_t k) {
    std::array<std::size_t, Ndim + 1> to{};
    for (std::size_t d = 0, s = 0; d <= Ndim; ++d) to[d] = d == dim ? 0 : idx[s++];
    out[to] = x.data()[k];
  });
  return out;
}

/// Removes `dim`, whose extent must be 1.
template <class T, std::size_t Ndim>
colmajor<T, Ndim - 1> squeeze(colmajor<T, Ndim> const& x, std::size_t dim) {
  static_assert(Ndim >= 1, "user::colmajor: squeeze needs at least 1 dim");
  if (dim >= Ndim || x.shape()[dim] != 1)
    detail::fail("squeeze", "dim " + std::to_string(dim) + " of " + detail::text(x.shape()));
  return sum(x, dim);  // one element along dim: the sum is that element
}

/// g summed over the dims where `shape` has extent 1 and g does not (an operand broadcast in the
/// forward op).
template <class T, std::size_t Ndim>
colmajor<T, Ndim> sum_to_shape(colmajor<T, Ndim> const& g, std::array<std::size_t, Ndim> const& shape) {
  for (std::size_t d = 0; d < Ndim; ++d)
    if (g.shape()[d] != shape[d] && shape[d] != 1)
      detail::fail("sum_to_shape", detail::text(g.shape()) + " does not reduce to " + detail::text(shape));
  colmajor<T, Ndim> out(shape, T(0));
  detail::for_each_index(g.shape(), [&](std::array<std::size_t, Ndim> const& idx, std::size_t k) {
    auto to = idx;
    for (std::size_t d = 0; d < Ndim; ++d)
      if (shape[d] == 1) to[d] = 0;
    out[to] += g.data()[k];
  });
  return out;
}

}  // namespace user
