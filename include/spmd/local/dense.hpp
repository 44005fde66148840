// spmd/local/dense.hpp - the per-rank (local) dense tensor: row-major, owns its buffer.
//
// This type knows nothing about sharding; the typed layer stores one of these per rank
// and calls the kernels in <spmd/local/kernels.hpp> on it.
#pragma once

#include <array>
#include <cassert>
#include <concepts>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace spmd::local {

namespace detail {

/// Number of elements of a tensor with the given extents (1 for 0 dims).
template <std::size_t Ndim>
[[nodiscard]] constexpr std::size_t product(std::array<std::size_t, Ndim> const& s) noexcept {
  std::size_t p = 1;
  for (std::size_t e : s) p *= e;
  return p;
}

/// Row-major strides (in elements) for the given extents.
template <std::size_t Ndim>
[[nodiscard]] constexpr std::array<std::size_t, Ndim> row_major_strides(
    std::array<std::size_t, Ndim> const& s) noexcept {
  std::array<std::size_t, Ndim> st{};
  std::size_t acc = 1;
  for (std::size_t d = Ndim; d-- > 0;) {
    st[d] = acc;
    acc *= s[d];
  }
  return st;
}

/// "[2, 3, 4]" - used in every error message so that users see both offending shapes.
template <std::size_t Ndim>
[[nodiscard]] std::string shape_string(std::array<std::size_t, Ndim> const& s) {
  std::string out = "[";
  for (std::size_t d = 0; d < Ndim; ++d) {
    if (d != 0) out += ", ";
    out += std::to_string(s[d]);
  }
  out += ']';
  return out;
}

/// Throws std::invalid_argument with the library's "spmd: <op>: " prefix.
[[noreturn]] inline void fail(std::string_view op, std::string const& what) {
  std::string msg = "spmd: ";
  msg += op;
  msg += ": ";
  msg += what;
  throw std::invalid_argument(msg);
}

/// Shape of `op(a, b)` under broadcasting between equal numbers of dims (each pair equal, or one of them 1);
/// the torch_tensor kernels check theirs with it too, so both give the same message.
template <std::size_t Ndim>
[[nodiscard]] std::array<std::size_t, Ndim> broadcast_shape(std::string_view op, std::array<std::size_t, Ndim> const& a,
                                                            std::array<std::size_t, Ndim> const& b) {
  std::array<std::size_t, Ndim> out{};
  for (std::size_t d = 0; d < Ndim; ++d) {
    if (a[d] == b[d] || b[d] == 1) {
      out[d] = a[d];
    } else if (a[d] == 1) {
      out[d] = b[d];
    } else {
      fail(op, "shapes " + shape_string(a) + " and " + shape_string(b) + " are not broadcast-compatible (dim " +
                   std::to_string(d) + ")");
    }
  }
  return out;
}

/// Throws unless `dim < limit` (a dim of the tensor, or an insert position: limit = Ndim + 1); `op`
/// names the kernel for the message.
template <std::size_t Ndim>
inline void check_dim(std::string_view op, std::size_t dim, std::size_t limit,
                      std::array<std::size_t, Ndim> const& shape) {
  if (dim >= limit) {
    fail(op, "dim " + std::to_string(dim) + " out of range for shape " + shape_string(shape));
  }
}

}  // namespace detail

/// Dense, row-major tensor of `Ndim` dimensions holding `T` (float or double).
/// `Ndim` = 0 is a scalar tensor with exactly one element.
template <class T, std::size_t Ndim>
class dense {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "spmd: dense<T, Ndim> requires T = float or double");

 public:
  using value_type = T;
  static constexpr std::size_t ndim = Ndim;
  /// The number of dims under its old name (a rank is a process; see docs/README.md, Renamed).
  [[deprecated("spmd: use ndim")]] static constexpr std::size_t rank = ndim;
  using shape_type = std::array<std::size_t, Ndim>;
  /// data() is row-major: the collectives may cut S<d> chunks out of it (spmd::row_major_tensor).
  static constexpr bool row_major = true;

  /// Empty tensor: all extents 0 (0 dims: one zero element, since a scalar always has one).
  dense() : shape_{}, values_(detail::product(shape_type{})) {}

  /// Tensor of the given shape with every element set to `fill`.
  explicit dense(shape_type shape, T fill = T{}) : shape_(shape), values_(detail::product(shape), fill) {}

  /// Tensor of the given shape taking ownership of row-major `values`.
  /// Throws std::invalid_argument if the element count does not match the shape.
  dense(shape_type shape, std::vector<T> values) : shape_(shape), values_(std::move(values)) {
    if (values_.size() != detail::product(shape_)) {
      detail::fail("dense", "shape " + detail::shape_string(shape_) + " needs " +
                                std::to_string(detail::product(shape_)) + " values, got " +
                                std::to_string(values_.size()));
    }
  }

  /// Extents of all dimensions.
  [[nodiscard]] shape_type const& shape() const noexcept { return shape_; }

  /// Extent of dimension `d`; throws std::out_of_range if `d >= Ndim`.
  [[nodiscard]] std::size_t extent(std::size_t d) const {
    if (d >= Ndim) {
      throw std::out_of_range("spmd: dense::extent: dim " + std::to_string(d) + " out of range for a tensor of " +
                              std::to_string(Ndim) + " dims");
    }
    return shape_[d];
  }

  /// Number of elements (product of the extents).
  [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }

  /// Pointer to the first element of the row-major buffer.
  [[nodiscard]] T* data() noexcept { return values_.data(); }
  /// Pointer to the first element of the row-major buffer.
  [[nodiscard]] T const* data() const noexcept { return values_.data(); }

  /// The row-major buffer (read-only: its size is tied to the shape).
  [[nodiscard]] std::vector<T> const& values() const noexcept { return values_; }

  /// Moves the buffer out (so shape-only kernels such as reshape need not copy) and leaves
  /// *this default-constructed.
  [[nodiscard]] std::vector<T> release() && {
    std::vector<T> out = std::move(values_);
    shape_ = shape_type{};
    values_.assign(detail::product(shape_), T{});
    return out;
  }

  /// Element access with exactly `Ndim` indices (bounds checked by assert only).
  template <std::integral... Ix>
  [[nodiscard]] T& operator()(Ix... ix) noexcept {
    return values_[offset(ix...)];
  }
  /// Element access with exactly `Ndim` indices (bounds checked by assert only).
  template <std::integral... Ix>
  [[nodiscard]] T const& operator()(Ix... ix) const noexcept {
    return values_[offset(ix...)];
  }

  /// Equal iff shapes and all values are equal.
  friend bool operator==(dense const&, dense const&) = default;

 private:
  template <class... Ix>
  [[nodiscard]] std::size_t offset(Ix... ix) const noexcept {
    static_assert(sizeof...(Ix) == Ndim, "spmd: dense::operator() needs exactly Ndim indices");
    std::size_t off = 0;
    std::size_t d = 0;
    // Horner scheme over the row-major extents.
    ((assert(static_cast<std::size_t>(ix) < shape_[d]), off = off * shape_[d] + static_cast<std::size_t>(ix), ++d),
     ...);
    return off;
  }

  shape_type shape_;
  std::vector<T> values_;
};

}  // namespace spmd::local
