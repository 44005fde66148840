// spmd/core/mesh.hpp - a mesh: ordered, named axes (names at compile time, sizes at run time).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <utility>

#include <spmd/core/fixed_string.hpp>

namespace spmd {

namespace detail {
template <fixed_string... Names>
consteval bool names_distinct() {
  constexpr std::array<std::string_view, sizeof...(Names)> names{Names.view()...};
  for (std::size_t i = 0; i < names.size(); ++i)
    for (std::size_t j = i + 1; j < names.size(); ++j)
      if (names[i] == names[j]) return false;
  return true;
}
template <fixed_string... Names>
consteval bool names_nonempty() {
  return ((Names.size > 0) && ... && true);
}
}  // namespace detail

/// A device mesh with the named axes `Axes`, in order: `mesh<"dp", "tp">`.
/// Only names live in the type; the size of each axis is given when the program runs.
template <fixed_string... Axes>
struct mesh {
  static_assert(sizeof...(Axes) > 0, "spmd: a mesh needs at least one axis, e.g. mesh<\"dp\">");
  static_assert(detail::names_nonempty<Axes...>(), "spmd: mesh axis names must not be empty");
  static_assert(detail::names_distinct<Axes...>(),
                "spmd: a mesh names an axis twice; mesh axis names must be distinct");

  /// Number of axes.
  static constexpr std::size_t axis_count = sizeof...(Axes);
  /// The number of axes under its old name (a rank is a process; see docs/README.md, Renamed).
  [[deprecated("spmd: use mesh::axis_count")]] static constexpr std::size_t rank = axis_count;
  /// The axis names, in mesh order.
  static constexpr std::array<std::string_view, axis_count> names{Axes.view()...};
  /// The name of axis `Index`, usable as a template argument.
  template <std::size_t Index>
  static constexpr auto name = std::get<Index>(std::tuple{Axes...});

  /// Position of the axis called `name`, or `axis_count` if there is none.
  static constexpr std::size_t find(std::string_view name) noexcept {
    for (std::size_t i = 0; i < axis_count; ++i)
      if (names[i] == name) return i;
    return axis_count;
  }
  static constexpr bool contains(std::string_view name) noexcept { return find(name) < axis_count; }
};

/// A mesh axis name as a type, `on_axis<'t', 'p'>`: the rules are instantiated with it so that
/// every compiler prints the axis name legibly in a diagnostic's context.
template <char... Cs>
struct on_axis {
  static constexpr char name[] = {Cs..., '\0'};
};

namespace detail {
template <fixed_string Name, class Indices>
struct axis_tag_impl;
template <fixed_string Name, std::size_t... Is>
struct axis_tag_impl<Name, std::index_sequence<Is...>> {
  using type = on_axis<Name.data[Is]...>;
};
}  // namespace detail

/// The `on_axis<...>` type of the axis called `Name`.
template <fixed_string Name>
using axis_tag = typename detail::axis_tag_impl<Name, std::make_index_sequence<Name.size>>::type;

namespace detail {
template <class T>
inline constexpr bool is_mesh = false;
template <fixed_string... Axes>
inline constexpr bool is_mesh<mesh<Axes...>> = true;
}  // namespace detail

/// True for `mesh<...>` types: `template <any_mesh Mesh>`. (`X::mesh_type` is the member alias
/// that names a tensor's mesh; the concept has its own word.)
template <class T>
concept any_mesh = detail::is_mesh<T>;

/// The old name of any_mesh, kept for code that names it (deprecated: a concept cannot carry the
/// attribute; see docs/README.md, Renamed).
template <class T>
concept mesh_type = any_mesh<T>;

namespace detail {
template <class Mesh, fixed_string Axis>
struct checked_axis_index {
  static_assert(Mesh::contains(Axis.view()),
                "spmd: this axis name is not an axis of the mesh; check the spelling against the "
                "mesh<...> declaration");
  static constexpr std::size_t value = Mesh::find(Axis.view());
};
}  // namespace detail

/// Position of the axis `Axis` in `Mesh`; a compile error names the axis if the mesh lacks it.
template <any_mesh Mesh, fixed_string Axis>
inline constexpr std::size_t axis_index = detail::checked_axis_index<Mesh, Axis>::value;

}  // namespace spmd
