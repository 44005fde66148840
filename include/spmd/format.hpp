// spmd/format.hpp - printing typed tensors: spmd::type_name<T>() and fmt::format("{}", t).
#pragma once

#include <cstddef>
#include <string>

#include <fmt/format.h>

#include <spmd/core/printed_names.hpp>
#include <spmd/tensor.hpp>

namespace spmd {

namespace detail {
template <class T>
std::string tensor_name(std::string const& extents) {
  using X = std::remove_cvref_t<T>;
  return std::string(element_name<typename X::value_type>) + "[" + extents + "]" +
         layout_name<typename X::mesh_type, typename X::layout_type>();
}
}  // namespace detail

/// The printed type of a typed tensor, e.g. "f32[*,*]{dp:R,tp:S(1)}": element type, one `*` per
/// dim (extents are run-time values), and the placement on each mesh axis.
template <typed_tensor T>
std::string type_name() {
  std::string extents;
  for (std::size_t d = 0; d < std::remove_cvref_t<T>::ndim; ++d) extents += d ? ",*" : "*";
  return detail::tensor_name<T>(extents);
}

/// The printed form of a typed tensor value, e.g. "f32[8,16]{dp:R,tp:S(1)}": type_name with this
/// rank's extents.
template <typed_tensor T>
std::string describe(T const& x) {
  return detail::tensor_name<T>(fmt::format("{}", fmt::join(x.shape(), ",")));
}

}  // namespace spmd

/// `fmt::format("{}", t)` prints the type and extents of a typed tensor: "f32[8,16]{dp:R,tp:S(1)}".
template <class Local, class Mesh, class Layout>
struct fmt::formatter<spmd::basic_tensor<Local, Mesh, Layout>> : fmt::formatter<std::string> {
  template <class FormatContext>
  auto format(spmd::basic_tensor<Local, Mesh, Layout> const& x, FormatContext& ctx) const {
    return fmt::formatter<std::string>::format(spmd::describe(x), ctx);
  }
};
