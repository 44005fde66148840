// spmd/torch/tensor.hpp - spmd::aten::torch_tensor<T, Rank>: a local tensor over a libtorch
// at::Tensor, so that spmd::tensor<torch_tensor<float, 2>, Mesh, Layout> runs its kernels on ATen.
//
// The element type is part of the type (as for local::dense: mixing dtypes is a compile error and
// data() is a real T*); the device is a property of the wrapped at::Tensor, checked at run time by
// the binary kernels. The kernels are in <spmd/torch/elementwise.hpp>, <spmd/torch/reduce.hpp> and
// <spmd/torch/matmul.hpp>, in this namespace so that the typed ops find them by ADL. The namespace
// is `aten`, not `torch`: a nested spmd::torch would make `torch::` ambiguous after
// `using namespace spmd;`.
#pragma once

#include <ATen/ATen.h>

#include <spmd/local/concept.hpp>
#include <spmd/local/dense.hpp>

#include <array>
#include <cassert>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace spmd::aten {

namespace detail {

/// The element types a torch_tensor may hold. bfloat16 computes but cannot be communicated: the
/// communicators send float and double only (spmd::buffer_tensor refuses it at compile time).
template <class T>
inline constexpr bool supported_element =
    std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, c10::BFloat16>;

// The element count, the shape text and the "spmd: <op>: " exception of local::dense, so that
// both local types say the same things.
using local::detail::broadcast_shape;
using local::detail::fail;
using local::detail::product;
using local::detail::shape_string;

/// The extents as the int64 sizes ATen takes.
template <std::size_t Ndim>
[[nodiscard]] std::array<std::int64_t, Ndim> sizes_of(std::array<std::size_t, Ndim> const& s) noexcept {
  std::array<std::int64_t, Ndim> out{};
  for (std::size_t d = 0; d < Ndim; ++d) out[d] = static_cast<std::int64_t>(s[d]);
  return out;
}

/// CPU tensor options of element type T.
template <class T>
[[nodiscard]] ::at::TensorOptions cpu_options() {
  return ::at::TensorOptions().dtype(c10::CppTypeToScalarType<T>::value).device(::at::kCPU);
}

}  // namespace detail

/// A local tensor of `Ndim` dims of `T` (float, double or c10::BFloat16) held in an at::Tensor.
///
/// The wrapped tensor is always contiguous and row-major, so `data()` points at the product of
/// the extents elements in row-major order (what the collectives cut shards out of).
///
/// A value, like local::dense, at the cost of a reference count: a copy shares the storage of the
/// at::Tensor, and the non-const data() (the only way to write into a torch_tensor: the kernels
/// return new tensors) first clones the storage if anything else refers to it (copy on write). So
/// the collectives that write into data() never change a copy, nor an at::Tensor the torch_tensor
/// was made from, and the copies that autograd and the typed ops make cost no memory traffic.
/// A moved-from torch_tensor may only be assigned to or destroyed.
template <class T, std::size_t Ndim>
class torch_tensor {
  static_assert(detail::supported_element<T>,
                "spmd: torch_tensor<T, Rank> requires T = float, double or c10::BFloat16");

 public:
  using value_type = T;
  static constexpr std::size_t ndim = Ndim;
  using shape_type = std::array<std::size_t, Ndim>;
  /// data() is row-major: the collectives may cut S<d> chunks out of it (spmd::row_major_tensor).
  static constexpr bool row_major = true;

  /// Empty CPU tensor: all extents 0 (0 dims: one zero element, since a scalar always has one).
  torch_tensor() : torch_tensor(shape_type{}) {}

  /// CPU tensor of the given shape with every element set to `fill` (the collectives and autograd
  /// construct their results this way).
  explicit torch_tensor(shape_type shape, T fill = T{}) : tensor_(filled(shape, fill)), shape_(shape) {}

  /// CPU tensor of the given shape holding row-major `values`.
  /// Throws std::invalid_argument if the element count does not match the shape.
  torch_tensor(shape_type shape, std::vector<T> const& values) : shape_(shape) {
    if (values.size() != detail::product(shape)) {
      detail::fail("torch_tensor", "shape " + detail::shape_string(shape) + " needs " +
                                       std::to_string(detail::product(shape)) + " values, got " +
                                       std::to_string(values.size()));
    }
    auto const sizes = detail::sizes_of(shape);
    tensor_ = ::at::empty(::at::IntArrayRef(sizes.data(), Ndim), detail::cpu_options<T>());
    if (!values.empty()) std::memcpy(tensor_.data_ptr(), values.data(), values.size() * sizeof(T));
  }

  /// Wraps `t`, which must have element type T and exactly Ndim dims (else std::invalid_argument).
  /// Keeps t's device. The result shares t's storage when t is contiguous (otherwise it holds a
  /// contiguous copy) and never writes into it while `t` (or a view of it) is alive: a write
  /// through data() clones first. ATen's own autograd is detached, since spmd::autograd
  /// differentiates.
  explicit torch_tensor(::at::Tensor t) {
    if (!t.defined()) detail::fail("torch_tensor", "the at::Tensor is undefined");
    constexpr auto expected = c10::CppTypeToScalarType<T>::value;
    if (t.scalar_type() != expected) {
      detail::fail("torch_tensor", std::string("expected an at::Tensor of dtype ") + c10::toString(expected) +
                                       ", got " + c10::toString(t.scalar_type()) +
                                       " (convert it with .to(...) or wrap it as torch_tensor of that type)");
    }
    if (t.dim() != static_cast<std::int64_t>(Ndim)) {
      detail::fail("torch_tensor", "expected an at::Tensor with " + std::to_string(Ndim) + " dims, got " +
                                       std::to_string(t.dim()) + " (reshape it first)");
    }
    if (t.requires_grad()) t = t.detach();
    tensor_ = t.contiguous();
    for (std::size_t d = 0; d < Ndim; ++d)
      shape_[d] = static_cast<std::size_t>(tensor_.size(static_cast<std::int64_t>(d)));
  }

  /// A copy: shares the storage until one of the two writes through data() (copy on write).
  torch_tensor(torch_tensor const& other) = default;
  torch_tensor(torch_tensor&& other) noexcept = default;
  torch_tensor& operator=(torch_tensor const& other) = default;
  torch_tensor& operator=(torch_tensor&& other) noexcept = default;
  ~torch_tensor() = default;

  /// Extents of all dimensions.
  [[nodiscard]] shape_type const& shape() const noexcept { return shape_; }

  /// Extent of dimension `d`; throws std::out_of_range if `d >= Ndim`.
  [[nodiscard]] std::size_t extent(std::size_t d) const {
    if (d >= Ndim) {
      throw std::out_of_range("spmd: torch_tensor::extent: dim " + std::to_string(d) +
                              " out of range for a tensor of " + std::to_string(Ndim) + " dims");
    }
    return shape_[d];
  }

  /// Number of elements (product of the extents).
  [[nodiscard]] std::size_t size() const noexcept { return detail::product(shape_); }

  /// The device the data live on (CPU unless the wrapped at::Tensor was elsewhere).
  [[nodiscard]] ::at::Device device() const { return tensor_.device(); }

  /// The wrapped tensor: contiguous, row-major, dtype T, Ndim dims. Read-only, so that its shape
  /// stays the cached one; write elements through data().
  [[nodiscard]] ::at::Tensor const& aten() const noexcept { return tensor_; }

  /// Pointer to the first element of the contiguous row-major data (on device()), for writing: if
  /// another tensor shares the storage (a copy, the at::Tensor this was made from, a view), the
  /// storage is cloned first, so the write changes this tensor only.
  [[nodiscard]] T* data() {
    // Another at::Tensor handle (a copy of this torch_tensor shares the TensorImpl) or another
    // TensorImpl over the same storage (a view, the tensor this was made from).
    if (tensor_.use_count() > 1 || tensor_.storage().use_count() > 1) tensor_ = tensor_.clone();
    return tensor_.data_ptr<T>();
  }
  /// Pointer to the first element of the contiguous row-major data (on device()).
  [[nodiscard]] T const* data() const { return tensor_.data_ptr<T>(); }

  /// Element access with exactly `Ndim` indices (CPU data; bounds checked by assert only).
  template <std::integral... Ix>
  [[nodiscard]] T& operator()(Ix... ix) {
    return data()[offset(ix...)];
  }
  /// Element access with exactly `Ndim` indices (CPU data; bounds checked by assert only).
  template <std::integral... Ix>
  [[nodiscard]] T const& operator()(Ix... ix) const {
    return data()[offset(ix...)];
  }

 private:
  [[nodiscard]] static ::at::Tensor filled(shape_type const& shape, T fill) {
    auto const sizes = detail::sizes_of(shape);
    return ::at::full(::at::IntArrayRef(sizes.data(), Ndim), ::at::Scalar(fill), detail::cpu_options<T>());
  }

  template <class... Ix>
  [[nodiscard]] std::size_t offset(Ix... ix) const noexcept {
    static_assert(sizeof...(Ix) == Ndim, "spmd: torch_tensor::operator() needs exactly Ndim indices");
    std::size_t off = 0;
    std::size_t d = 0;
    // Horner scheme over the row-major extents.
    ((assert(static_cast<std::size_t>(ix) < shape_[d]), off = off * shape_[d] + static_cast<std::size_t>(ix), ++d),
     ...);
    return off;
  }

  ::at::Tensor tensor_;
  shape_type shape_{};
};

}  // namespace spmd::aten

namespace spmd {
/// The libtorch local tensor type (also spmd::aten::torch_tensor).
using aten::torch_tensor;

/// bfloat16 is a number for the typed ops (`x * c10::BFloat16(0.5f)`, and the constants of the
/// backwards of tanh, sqrt, rsqrt, pow and mean on a bf16 tensor).
template <>
inline constexpr bool enable_number<c10::BFloat16> = true;
}  // namespace spmd
