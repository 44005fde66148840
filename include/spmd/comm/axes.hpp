// spmd/comm/axes.hpp - the mesh axes a collective acts on: "tp", or several flattened: "dp,tp".
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <spmd/core/fixed_string.hpp>
#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/axis_rule.hpp>
#include <spmd/tensor.hpp>

namespace spmd::comm {

/// The axis names in `Axes`, a comma-separated list ("tp" or "dp,tp").
template <fixed_string Axes>
struct axis_list {
  static constexpr std::size_t count = [] {
    std::size_t n = 1;
    for (char c : Axes.view()) n += c == ',' ? 1 : 0;
    return n;
  }();
  // Split by index, not with string_view::find: find compares a pointer into the template
  // parameter object with null, which g++ cannot constant-fold under -fsanitize=undefined.
  static constexpr std::array<std::string_view, count> names = [] {
    std::array<std::string_view, count> out{};
    std::string_view const s = Axes.view();
    std::size_t begin = 0, k = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
      if (i == s.size() || s[i] == ',') {
        out[k++] = s.substr(begin, i - begin);
        begin = i + 1;
      }
    }
    return out;
  }();
  static constexpr bool contains(std::string_view axis) noexcept {
    for (auto n : names)
      if (n == axis) return true;
    return false;
  }
};

namespace detail {

template <class Mesh, fixed_string Axes>
consteval bool axes_valid() {
  using list = axis_list<Axes>;
  for (std::size_t i = 0; i < list::count; ++i) {
    if (!Mesh::contains(list::names[i])) return false;
    for (std::size_t j = i + 1; j < list::count; ++j)
      if (list::names[i] == list::names[j]) return false;
  }
  return true;
}

template <class Mesh, fixed_string Axes>
struct checked_axes {
  static_assert(axes_valid<Mesh, Axes>(),
                "spmd: a collective names an axis that is not in the mesh (or names one twice); the "
                "axes are a comma-separated list of mesh axis names, e.g. \"tp\" or \"dp,tp\"");
  static constexpr bool value = axes_valid<Mesh, Axes>();
};

/// Which axes of `Mesh` the collective over `Axes` runs on: entry k for mesh axis k.
template <class Mesh, fixed_string Axes>
inline constexpr std::array<bool, Mesh::axis_count> in_group = [] {
  std::array<bool, Mesh::axis_count> g{};
  for (std::size_t k = 0; k < Mesh::axis_count; ++k) g[k] = axis_list<Axes>::contains(Mesh::names[k]);
  return g;
}();

template <class Mesh, class Layout, fixed_string Axes>
struct source_placement_impl {
  static constexpr std::size_t first = Mesh::find(axis_list<Axes>::names[0]);
  using type = placement_at_t<Layout, (first < Mesh::axis_count ? first : 0)>;
  static constexpr bool uniform = [] {
    auto const& values = placement_values<Layout>;
    for (std::size_t k = 0; k < Mesh::axis_count; ++k)
      if (in_group<Mesh, Axes>[k] && values[k] != placement_value_of<type>) return false;
    return true;
  }();
  static_assert(uniform,
                "spmd: a collective over several mesh axes needs the same placement on each of them; "
                "make them equal first, or run one collective per axis");
};

template <class Mesh, class Layout, fixed_string Axes, class Dst>
struct replace_placements_impl {
  static constexpr auto values = [] {
    auto out = placement_values<Layout>;
    for (std::size_t k = 0; k < Mesh::axis_count; ++k)
      if (in_group<Mesh, Axes>[k]) out[k] = placement_value_of<Dst>;
    return out;
  }();
  using type = layout_of_values_t<values>;
};

}  // namespace detail

/// The placement that tensor type `T` has on the axes `Axes` (the same on each, or an error).
template <class T, fixed_string Axes>
using source_placement_t =
    typename detail::source_placement_impl<typename T::mesh_type, typename T::layout_type, Axes>::type;

/// True if tensor type `T` has the same placement on each of the axes `Axes`.
template <class T, fixed_string Axes>
inline constexpr bool source_uniform =
    detail::source_placement_impl<typename T::mesh_type, typename T::layout_type, Axes>::uniform;

/// Tensor type `T` with placement `Dst` on the axes `Axes`, all others unchanged.
template <class T, fixed_string Axes, class Dst>
using with_placement_t = basic_tensor<
    typename T::local_type, typename T::mesh_type,
    typename detail::replace_placements_impl<typename T::mesh_type, typename T::layout_type, Axes, Dst>::type>;

/// The communicator of the group spanned by `Axes` on rank `r` (flattened when several).
template <fixed_string Axes, class Rank>
decltype(auto) group_of(Rank& r) {
  using list = axis_list<Axes>;
  if constexpr (list::count == 1)
    return r.comm(list::names[0]);
  else
    return r.comm(std::span<std::string_view const>(list::names));
}

namespace detail {
[[noreturn]] inline void throw_mesh_order(std::span<std::string const> runtime,
                                          std::span<std::string_view const> type) {
  std::string wanted;
  for (auto t : type) wanted += (wanted.empty() ? "" : ", ") + std::string(t);
  std::string ordered;  // the runtime's axes that the type names, in the runtime's order
  for (auto const& n : runtime)
    for (auto t : type)
      if (t == n) ordered += (ordered.empty() ? "" : ", ") + n;
  std::string example;
  for (auto t : type) example += (example.empty() ? "{" : ", ") + std::string("{\"") + std::string(t) + "\", ...}";
  throw std::invalid_argument(
      "spmd: the runtime mesh orders the axes " + ordered + " but the tensors' mesh type orders them " + wanted +
      "; flattened groups (\"dp,tp\") and redistribute number the ranks in the runtime's order and would exchange "
      "the wrong blocks: give run() the axes in the type's order, " +
      example + "}");
}
}  // namespace detail

/// Throws std::invalid_argument unless the runtime of rank `r` orders the axes of `Mesh` as the
/// type does (the runtime may have more axes). A runtime without `axis_names()` is not checked.
/// Costs one comparison of each runtime axis name.
template <class Mesh, class Rank>
void check_mesh_order(Rank const& r) {
  if constexpr (requires { r.axis_names(); }) {
    std::size_t next = 0;  // the next axis of the type expected
    for (auto const& name : r.axis_names()) {
      std::string_view const n(name);
      if (next < Mesh::axis_count && n == Mesh::names[next])
        ++next;
      else if (Mesh::contains(n)) [[unlikely]] {
        std::vector<std::string> runtime;  // whatever range of names the runtime gives
        for (auto const& other : r.axis_names()) runtime.emplace_back(std::string_view(other));
        detail::throw_mesh_order(runtime, Mesh::names);
      }
    }
  }
}

/// group_of, for tensors on `Mesh`: first checks that the runtime orders the mesh's axes as the
/// type does. Every typed collective gets its communicator here.
template <class Mesh, fixed_string Axes, class Rank>
decltype(auto) typed_group_of(Rank& r) {
  check_mesh_order<Mesh>(r);
  return group_of<Axes>(r);
}

}  // namespace spmd::comm
