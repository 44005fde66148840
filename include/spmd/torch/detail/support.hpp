// spmd/torch/detail/support.hpp - what the torch_tensor kernels share: wrapping an ATen result,
// the checks that give local::dense's error messages (broadcasting, dims, devices).
#pragma once

#include <spmd/torch/tensor.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace spmd::aten::detail {

/// An ATen result as a torch_tensor (fresh storage: every out-of-place ATen op allocates).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> wrap(::at::Tensor r) {
  return torch_tensor<T, Ndim>(std::move(r));
}

/// An ATen result that may be a view of `src` (narrow, transpose of extent-1 dims, one-operand
/// einsum) as a torch_tensor of its own storage: a torch_tensor is a value, and writing into
/// data() of one must not change another.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> wrap_owned(::at::Tensor r, ::at::Tensor const& src) {
  r = r.contiguous();
  if (r.is_alias_of(src)) r = r.clone();
  return torch_tensor<T, Ndim>(std::move(r));
}

/// Throws unless `dim < Ndim`.
template <std::size_t Ndim>
inline void check_dim(std::string_view op, std::size_t dim, std::array<std::size_t, Ndim> const& shape) {
  if (dim >= Ndim) fail(op, "dim " + std::to_string(dim) + " out of range for shape " + shape_string(shape));
}

/// Throws unless the two shapes are equal (the backward kernels take x and g of one shape).
template <std::size_t Ndim>
inline void check_same_shape(std::string_view op, std::array<std::size_t, Ndim> const& a,
                             std::array<std::size_t, Ndim> const& b) {
  if (a != b) fail(op, "shapes differ");
}

/// Throws unless `a` and `b` live on the same device: ATen would copy silently or fail deep
/// inside, and the device is not part of torch_tensor's type.
inline void check_device(std::string_view op, ::at::Tensor const& a, ::at::Tensor const& b) {
  if (a.device() != b.device()) {
    fail(op, "operands are on different devices (" + a.device().str() + " and " + b.device().str() +
                 "); move one with .to(device) before wrapping it");
  }
}

/// Checks that a and b broadcast against each other and share a device.
template <class T, std::size_t Ndim>
inline void check_binary(std::string_view op, torch_tensor<T, Ndim> const& a, torch_tensor<T, Ndim> const& b) {
  (void)broadcast_shape(op, a.shape(), b.shape());
  check_device(op, a.aten(), b.aten());
}

/// The extents of a shape as ATen sizes, kept alive for the call that takes the IntArrayRef.
template <std::size_t Ndim>
struct sizes {
  std::array<std::int64_t, Ndim> values;
  explicit sizes(std::array<std::size_t, Ndim> const& s) : values(sizes_of(s)) {}
  [[nodiscard]] ::at::IntArrayRef ref() const noexcept { return ::at::IntArrayRef(values.data(), Ndim); }
};

}  // namespace spmd::aten::detail
