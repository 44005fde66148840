// spmd/local/dense_shape.hpp - layout kernels for local::dense: transpose, reshape,
// unsqueeze, squeeze, concat. All results are materialised (no views).
#pragma once

#include <spmd/local/dense.hpp>

#include <algorithm>
#include <utility>

namespace spmd::local {

namespace detail {

/// Product of the extents in [first, last).
template <std::size_t Ndim>
[[nodiscard]] constexpr std::size_t product_range(std::array<std::size_t, Ndim> const& s, std::size_t first,
                                                  std::size_t last) noexcept {
  std::size_t p = 1;
  for (std::size_t d = first; d < last; ++d) p *= s[d];
  return p;
}

}  // namespace detail

/// Swaps dimensions d0 and d1 (materialised copy); throws if either is out of range.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> transpose(dense<T, Ndim> const& x, std::size_t d0, std::size_t d1) {
  static_assert(Ndim >= 1, "spmd: transpose needs at least 1 dim");
  detail::check_dim("transpose", d0, Ndim, x.shape());
  detail::check_dim("transpose", d1, Ndim, x.shape());
  if (d0 == d1) return x;
  if (d0 > d1) std::swap(d0, d1);
  auto shape = x.shape();
  std::swap(shape[d0], shape[d1]);
  dense<T, Ndim> out(shape);
  // View x as [outer, A, mid, B, inner]; the result is [outer, B, mid, A, inner], written
  // sequentially while the innermost block stays contiguous on both sides.
  auto const& s = x.shape();
  std::size_t const outer = detail::product_range(s, 0, d0), na = s[d0], mid = detail::product_range(s, d0 + 1, d1),
                    nb = s[d1], inner = detail::product_range(s, d1 + 1, Ndim);
  T const* src = x.data();
  T* dst = out.data();
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t b = 0; b < nb; ++b)
      for (std::size_t m = 0; m < mid; ++m)
        for (std::size_t a = 0; a < na; ++a) {
          T const* p = src + (((o * na + a) * mid + m) * nb + b) * inner;
          dst = std::copy(p, p + inner, dst);
        }
  return out;
}

/// Same elements with a new shape of `NewNdim` dims; the element count must match.
/// Takes `x` by value so that an rvalue's buffer is reused without copying.
template <std::size_t NewNdim, class T, std::size_t Ndim>
[[nodiscard]] dense<T, NewNdim> reshape(dense<T, Ndim> x, std::array<std::size_t, NewNdim> shape) {
  if (detail::product(shape) != x.size()) {
    detail::fail("reshape", "cannot reshape " + detail::shape_string(x.shape()) + " (" + std::to_string(x.size()) +
                                " elements) to " + detail::shape_string(shape) + " (" +
                                std::to_string(detail::product(shape)) + " elements)");
  }
  return dense<T, NewNdim>(shape, std::move(x).release());
}

/// Inserts a new dimension of extent 1 at position `dim` (0 <= dim <= Ndim).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim + 1> unsqueeze(dense<T, Ndim> x, std::size_t dim) {
  if (dim > Ndim) {
    detail::fail("unsqueeze",
                 "dim " + std::to_string(dim) + " out of range for shape " + detail::shape_string(x.shape()));
  }
  std::array<std::size_t, Ndim + 1> shape{};
  for (std::size_t d = 0, s = 0; d < Ndim + 1; ++d) shape[d] = (d == dim || s >= Ndim) ? 1 : x.shape()[s++];
  return dense<T, Ndim + 1>(shape, std::move(x).release());
}

/// Removes dimension `dim`, whose extent must be 1.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim - 1> squeeze(dense<T, Ndim> x, std::size_t dim) {
  static_assert(Ndim >= 1, "spmd: squeeze needs at least 1 dim");
  detail::check_dim("squeeze", dim, Ndim, x.shape());
  if (x.extent(dim) != 1) {
    detail::fail("squeeze", "dim " + std::to_string(dim) + " of shape " + detail::shape_string(x.shape()) +
                                " has extent " + std::to_string(x.extent(dim)) + ", not 1");
  }
  std::array<std::size_t, Ndim - 1> shape{};
  for (std::size_t d = 0, s = 0; d < Ndim; ++d)
    if (d != dim && s < Ndim - 1) shape[s++] = x.shape()[d];  // s < Ndim - 1 holds once dim < Ndim is checked
  return dense<T, Ndim - 1>(shape, std::move(x).release());
}

/// Concatenates a and b along `dim`; all other extents must be equal.
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> concat(dense<T, Ndim> const& a, dense<T, Ndim> const& b, std::size_t dim) {
  static_assert(Ndim >= 1, "spmd: concat needs at least 1 dim");
  detail::check_dim("concat", dim, Ndim, a.shape());
  for (std::size_t d = 0; d < Ndim; ++d) {
    if (d != dim && a.shape()[d] != b.shape()[d]) {
      detail::fail("concat", "shapes " + detail::shape_string(a.shape()) + " and " + detail::shape_string(b.shape()) +
                                 " differ outside dim " + std::to_string(dim));
    }
  }
  auto shape = a.shape();
  shape[dim] += b.extent(dim);
  dense<T, Ndim> out(shape);
  // Each of the `outer` slabs is a's block followed by b's block.
  std::size_t const outer = detail::product_range(shape, 0, dim);
  std::size_t const inner = detail::product_range(shape, dim + 1, Ndim);
  std::size_t const ca = a.extent(dim) * inner, cb = b.extent(dim) * inner;
  T* dst = out.data();
  for (std::size_t o = 0; o < outer; ++o) {
    dst = std::copy(a.data() + o * ca, a.data() + (o + 1) * ca, dst);
    dst = std::copy(b.data() + o * cb, b.data() + (o + 1) * cb, dst);
  }
  return out;
}

/// Elements [start, start + length) of `x` along `dim` (the piece of a concatenation).
template <class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> narrow(dense<T, Ndim> const& x, std::size_t dim, std::size_t start, std::size_t length) {
  static_assert(Ndim >= 1, "spmd: narrow needs at least 1 dim");
  detail::check_dim("narrow", dim, Ndim, x.shape());
  if (start + length > x.extent(dim)) {
    detail::fail("narrow", "elements [" + std::to_string(start) + ", " + std::to_string(start + length) +
                               ") along dim " + std::to_string(dim) + " of shape " + detail::shape_string(x.shape()));
  }
  auto shape = x.shape();
  shape[dim] = length;
  dense<T, Ndim> out(shape);
  std::size_t const outer = detail::product_range(shape, 0, dim), inner = detail::product_range(shape, dim + 1, Ndim);
  std::size_t const from = x.extent(dim) * inner, piece = length * inner;
  T* dst = out.data();
  for (std::size_t o = 0; o < outer; ++o) {
    T const* src = x.data() + o * from + start * inner;
    dst = std::copy(src, src + piece, dst);
  }
  return out;
}

}  // namespace spmd::local
