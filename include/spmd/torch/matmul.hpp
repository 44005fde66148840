// spmd/torch/matmul.hpp - contractions of torch_tensor on ATen: matmul (the shapes local::dense
// takes) and einsum over one or two operands (the compile-time spec handed to at::einsum).
#pragma once

#include <spmd/local/einsum_spec.hpp>
#include <spmd/torch/detail/support.hpp>
#include <spmd/torch/tensor.hpp>

#include <array>
#include <cstddef>
#include <string>

namespace spmd::aten {

/// Matrix product [m, k] @ [k, n] -> [m, n].
template <class T>
[[nodiscard]] torch_tensor<T, 2> matmul(torch_tensor<T, 2> const& a, torch_tensor<T, 2> const& b) {
  if (a.shape()[1] != b.shape()[0]) {
    detail::fail("matmul",
                 "inner extents differ: " + detail::shape_string(a.shape()) + " @ " + detail::shape_string(b.shape()));
  }
  detail::check_device("matmul", a.aten(), b.aten());
  return detail::wrap<T, 2>(::at::matmul(a.aten(), b.aten()));
}

/// Batched-by-broadcast product [b, m, k] @ [k, n] -> [b, m, n].
template <class T>
[[nodiscard]] torch_tensor<T, 3> matmul(torch_tensor<T, 3> const& a, torch_tensor<T, 2> const& b) {
  if (a.shape()[2] != b.shape()[0]) {
    detail::fail("matmul",
                 "inner extents differ: " + detail::shape_string(a.shape()) + " @ " + detail::shape_string(b.shape()));
  }
  detail::check_device("matmul", a.aten(), b.aten());
  return detail::wrap<T, 3>(::at::matmul(a.aten(), b.aten()));
}

/// Batch of products [b, m, k] @ [b, k, n] -> [b, m, n]; batch extents must be equal (no
/// broadcasting of a batch of 1, as local::dense).
template <class T>
[[nodiscard]] torch_tensor<T, 3> matmul(torch_tensor<T, 3> const& a, torch_tensor<T, 3> const& b) {
  if (a.shape()[0] != b.shape()[0] || a.shape()[2] != b.shape()[1]) {
    detail::fail("matmul", "batch or inner extents differ: " + detail::shape_string(a.shape()) + " @ " +
                               detail::shape_string(b.shape()));
  }
  detail::check_device("matmul", a.aten(), b.aten());
  return detail::wrap<T, 3>(::at::matmul(a.aten(), b.aten()));
}

namespace detail {

/// Checks that every label has one extent in all operands (at::einsum would broadcast an extent
/// of 1 against another; local::dense refuses it with this message).
template <class Spec, std::size_t... Ndim>
void einsum_check_extents(std::array<std::size_t, Ndim> const&... shapes) {
  constexpr auto plan = Spec::plan;
  std::array<std::size_t const*, sizeof...(Ndim)> const data{shapes.data()...};
  std::array<std::string, sizeof...(Ndim)> const strs{shape_string(shapes)...};
  for (std::size_t l = 0; l < plan.n_loop; ++l) {
    std::size_t first = local::einsum_npos, extent = 0;
    for (std::size_t k = 0; k < sizeof...(Ndim); ++k) {
      std::size_t const d = plan.operand_dim[k][l];
      if (d == local::einsum_npos) continue;
      if (first == local::einsum_npos) {
        first = k;
        extent = data[k][d];
      } else if (data[k][d] != extent) {
        fail("einsum", "spec \"" + std::string(Spec::str) + "\": label '" + std::string(1, plan.loop_labels[l]) +
                           "' has extent " + std::to_string(extent) + " in operand " + std::to_string(first) + " " +
                           strs[first] + " but " + std::to_string(data[k][d]) + " in operand " + std::to_string(k) +
                           " " + strs[k]);
      }
    }
  }
}

}  // namespace detail

/// Two-operand einsum, e.g. `einsum(local::einsum_spec<"ij,jk->ik">{}, a, b)`, by at::einsum.
/// Labels shared by a and b must have equal extents (else std::invalid_argument).
template <local::einsum_spec_type Spec, class T, std::size_t Ra, std::size_t Rb>
[[nodiscard]] torch_tensor<T, Spec::out_ndim> einsum(Spec, torch_tensor<T, Ra> const& a, torch_tensor<T, Rb> const& b) {
  [[maybe_unused]] constexpr bool fits = local::detail::einsum_operands_fit<Spec, Ra, Rb>();
  detail::einsum_check_extents<Spec>(a.shape(), b.shape());
  detail::check_device("einsum", a.aten(), b.aten());
  return detail::wrap<T, Spec::out_ndim>(
      ::at::einsum(c10::string_view(Spec::str.data(), Spec::str.size()), {a.aten(), b.aten()}));
}

/// One-operand einsum, e.g. `einsum(local::einsum_spec<"ij->ji">{}, a)` or a reduction "ij->i".
template <local::einsum_spec_type Spec, class T, std::size_t Ra>
[[nodiscard]] torch_tensor<T, Spec::out_ndim> einsum(Spec, torch_tensor<T, Ra> const& a) {
  [[maybe_unused]] constexpr bool fits = local::detail::einsum_operands_fit<Spec, Ra>();
  // A permutation spec ("ij->ji") gives a view of a: copied so that the result owns its data.
  return detail::wrap_owned<T, Spec::out_ndim>(::at::einsum(c10::string_view(Spec::str.data(), Spec::str.size()),
                                                            {a.aten()}),
                                               a.aten());
}

}  // namespace spmd::aten
