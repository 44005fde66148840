// spmd/torch/reduce.hpp - reductions of torch_tensor on ATen: sum and mean over a dim (removed),
// softmax and log_softmax and their backward kernels, and sum_to_shape (autograd's reduction of a
// broadcast gradient).
#pragma once

#include <spmd/torch/detail/support.hpp>
#include <spmd/torch/tensor.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace spmd::aten {

/// Sum over dimension `dim`, which is removed (one dim gives a 0-dim scalar tensor).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim - 1> sum(torch_tensor<T, Ndim> const& x, std::size_t dim) {
  static_assert(Ndim >= 1, "spmd: sum needs at least 1 dim");
  detail::check_dim("sum", dim, x.shape());
  return detail::wrap<T, Ndim - 1>(::at::sum(x.aten(), {static_cast<std::int64_t>(dim)}));
}

/// Mean over dimension `dim`, which is removed (an empty dimension yields NaN, as 0/0).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim - 1> mean(torch_tensor<T, Ndim> const& x, std::size_t dim) {
  static_assert(Ndim >= 1, "spmd: mean needs at least 1 dim");
  detail::check_dim("mean", dim, x.shape());
  return detail::wrap<T, Ndim - 1>(::at::mean(x.aten(), {static_cast<std::int64_t>(dim)}));
}

/// Softmax along `dim` (ATen subtracts the per-slice maximum, as local::dense).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> softmax(torch_tensor<T, Ndim> const& x, std::size_t dim) {
  static_assert(Ndim >= 1, "spmd: softmax needs at least 1 dim");
  detail::check_dim("softmax", dim, x.shape());
  return detail::wrap<T, Ndim>(::at::softmax(x.aten(), static_cast<std::int64_t>(dim)));
}

/// log(softmax(x)) along `dim`, exact where softmax underflows.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> log_softmax(torch_tensor<T, Ndim> const& x, std::size_t dim) {
  static_assert(Ndim >= 1, "spmd: log_softmax needs at least 1 dim");
  detail::check_dim("log_softmax", dim, x.shape());
  return detail::wrap<T, Ndim>(::at::log_softmax(x.aten(), static_cast<std::int64_t>(dim)));
}

/// g's gradient through y = softmax(x) along `dim`, from y: y * (g - sum_dim(g * y)).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> softmax_backward(torch_tensor<T, Ndim> const& y, torch_tensor<T, Ndim> const& g,
                                                     std::size_t dim) {
  detail::check_same_shape("softmax_backward", y.shape(), g.shape());
  detail::check_dim("softmax_backward", dim, y.shape());
  detail::check_device("softmax_backward", y.aten(), g.aten());
  ::at::Tensor const dot = ::at::sum(g.aten() * y.aten(), {static_cast<std::int64_t>(dim)}, /*keepdim=*/true);
  return detail::wrap<T, Ndim>(y.aten() * (g.aten() - dot));
}

/// The gradient through y = log_softmax(x) along `dim`, from y: g - exp(y) * sum_dim(g).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> log_softmax_backward(torch_tensor<T, Ndim> const& y, torch_tensor<T, Ndim> const& g,
                                                         std::size_t dim) {
  detail::check_same_shape("log_softmax_backward", y.shape(), g.shape());
  detail::check_dim("log_softmax_backward", dim, y.shape());
  detail::check_device("log_softmax_backward", y.aten(), g.aten());
  ::at::Tensor const total = ::at::sum(g.aten(), {static_cast<std::int64_t>(dim)}, /*keepdim=*/true);
  return detail::wrap<T, Ndim>(g.aten() - ::at::exp(y.aten()) * total);
}

/// Sums `g` over the dims where `shape` has extent 1 and g does not: the gradient of an operand
/// that was broadcast in the forward op.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> sum_to_shape(torch_tensor<T, Ndim> g, std::array<std::size_t, Ndim> const& shape) {
  std::vector<std::int64_t> dims;
  for (std::size_t d = 0; d < Ndim; ++d) {
    if (g.shape()[d] == shape[d]) continue;
    if (shape[d] != 1) detail::fail("sum_to_shape", "dim " + std::to_string(d) + " is not broadcast");
    dims.push_back(static_cast<std::int64_t>(d));
  }
  if (dims.empty()) return g;
  return detail::wrap<T, Ndim>(::at::sum(g.aten(), dims, /*keepdim=*/true));
}

}  // namespace spmd::aten
