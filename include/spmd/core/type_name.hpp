// spmd/core/type_name.hpp - short printable names of placements and layouts: "S(1)", "{dp:R,tp:S(1)}".
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/placement.hpp>

namespace spmd {

/// The short name of a placement: "R", "I", "V", "P" or "S(d)".
template <placement T>
std::string placement_name() {
  if constexpr (shard_placement<T>) {
    return "S(" + std::to_string(T::dim) + ")";
  } else {
    switch (kind_of<T>) {
      case placement_kind::replicate: return "R";
      case placement_kind::invariant: return "I";
      case placement_kind::varying: return "V";
      case placement_kind::partial: return "P";
      case placement_kind::ill_typed: return "!";
    }
    return "?";
  }
}

/// The printed form of a layout on a mesh: "{dp:R,tp:S(1)}". Accepts named layouts too.
template <mesh_type Mesh, class Layout>
std::string layout_name() {
  using canonical = resolve_layout_t<Mesh, Layout>;
  return [&]<std::size_t... Is>(std::index_sequence<Is...>) {
    std::string out = "{";
    ((out += (Is ? "," : ""), out += Mesh::names[Is], out += ':',
      out += placement_name<placement_at_t<canonical, Is>>()),
     ...);
    return out + "}";
  }(std::make_index_sequence<Mesh::rank>{});
}

/// The short name of an element type: "f32", "f64", "i32", ...; specialise for your own types.
template <class T>
inline constexpr char const* element_name = "?";
template <>
inline constexpr char const* element_name<float> = "f32";
template <>
inline constexpr char const* element_name<double> = "f64";
template <>
inline constexpr char const* element_name<int> = "i32";
template <>
inline constexpr char const* element_name<long> = "i64";

}  // namespace spmd
