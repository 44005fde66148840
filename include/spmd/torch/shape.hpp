// spmd/torch/shape.hpp - layout kernels of torch_tensor on ATen: transpose, reshape, unsqueeze,
// squeeze, concat, narrow. Every result is contiguous and owns its storage (ATen's views are
// materialised), so data() stays row-major and a result never aliases an operand.
#pragma once

#include <spmd/torch/detail/support.hpp>
#include <spmd/torch/tensor.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace spmd::aten {

/// Swaps dimensions d0 and d1 (materialised copy); throws if either is out of range.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> transpose(torch_tensor<T, Ndim> const& x, std::size_t d0, std::size_t d1) {
  static_assert(Ndim >= 1, "spmd: transpose needs at least 1 dim");
  detail::check_dim("transpose", d0, x.shape());
  detail::check_dim("transpose", d1, x.shape());
  return detail::wrap_owned<T, Ndim>(x.aten().transpose(static_cast<std::int64_t>(d0), static_cast<std::int64_t>(d1)),
                                     x.aten());
}

/// Same elements in row-major order with a new shape of `NewNdim` dims; the element count must
/// match. Takes `x` by value so that an rvalue's storage is reused without copying.
template <std::size_t NewNdim, class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, NewNdim> reshape(torch_tensor<T, Ndim> x, std::array<std::size_t, NewNdim> shape) {
  if (detail::product(shape) != x.size()) {
    detail::fail("reshape", "cannot reshape " + detail::shape_string(x.shape()) + " (" + std::to_string(x.size()) +
                                " elements) to " + detail::shape_string(shape) + " (" +
                                std::to_string(detail::product(shape)) + " elements)");
  }
  detail::sizes<NewNdim> const sizes(shape);
  return detail::wrap<T, NewNdim>(x.aten().reshape(sizes.ref()));
}

/// Inserts a new dimension of extent 1 at position `dim` (0 <= dim <= Ndim).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim + 1> unsqueeze(torch_tensor<T, Ndim> x, std::size_t dim) {
  if (dim > Ndim) {
    detail::fail("unsqueeze",
                 "dim " + std::to_string(dim) + " out of range for shape " + detail::shape_string(x.shape()));
  }
  return detail::wrap<T, Ndim + 1>(x.aten().unsqueeze(static_cast<std::int64_t>(dim)));
}

/// Removes dimension `dim`, whose extent must be 1.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim - 1> squeeze(torch_tensor<T, Ndim> x, std::size_t dim) {
  static_assert(Ndim >= 1, "spmd: squeeze needs at least 1 dim");
  detail::check_dim("squeeze", dim, x.shape());
  if (x.shape()[dim] != 1) {
    detail::fail("squeeze", "dim " + std::to_string(dim) + " of shape " + detail::shape_string(x.shape()) +
                                " has extent " + std::to_string(x.shape()[dim]) + ", not 1");
  }
  return detail::wrap<T, Ndim - 1>(x.aten().squeeze(static_cast<std::int64_t>(dim)));
}

/// Concatenates a and b along `dim`; all other extents must be equal.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> concat(torch_tensor<T, Ndim> const& a, torch_tensor<T, Ndim> const& b,
                                           std::size_t dim) {
  static_assert(Ndim >= 1, "spmd: concat needs at least 1 dim");
  detail::check_dim("concat", dim, a.shape());
  for (std::size_t d = 0; d < Ndim; ++d) {
    if (d != dim && a.shape()[d] != b.shape()[d]) {
      detail::fail("concat", "shapes " + detail::shape_string(a.shape()) + " and " + detail::shape_string(b.shape()) +
                                 " differ outside dim " + std::to_string(dim));
    }
  }
  detail::check_device("concat", a.aten(), b.aten());
  return detail::wrap<T, Ndim>(::at::cat({a.aten(), b.aten()}, static_cast<std::int64_t>(dim)));
}

/// Elements [start, start + length) of `x` along `dim` (the piece of a concatenation).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> narrow(torch_tensor<T, Ndim> const& x, std::size_t dim, std::size_t start,
                                           std::size_t length) {
  static_assert(Ndim >= 1, "spmd: narrow needs at least 1 dim");
  detail::check_dim("narrow", dim, x.shape());
  if (start + length > x.shape()[dim]) {
    detail::fail("narrow", "elements [" + std::to_string(start) + ", " + std::to_string(start + length) +
                               ") along dim " + std::to_string(dim) + " of shape " + detail::shape_string(x.shape()));
  }
  return detail::wrap_owned<T, Ndim>(x.aten().narrow(static_cast<std::int64_t>(dim), static_cast<std::int64_t>(start),
                                                     static_cast<std::int64_t>(length)),
                                     x.aten());
}

}  // namespace spmd::aten
