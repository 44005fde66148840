// spmd/core/printed_names.hpp - short printable names of placements and layouts: "S(1)", "{dp:R,tp:S(1)}".
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>

namespace spmd {

/// The short name of a placement value: "R", "I", "V", "P" or "S(d)" ("!" for ill_typed).
inline std::string placement_name(placement_value v) {
  switch (v.kind) {
    case placement_kind::replicate:
      return "R";
    case placement_kind::invariant:
      return "I";
    case placement_kind::varying:
      return v.is_shard() ? "S(" + std::to_string(v.dim) + ")" : "V";
    case placement_kind::partial:
      return "P";
    case placement_kind::ill_typed:
      return "!";
  }
  return "?";
}

/// The short name of a placement: "R", "I", "V", "P" or "S(d)".
template <placement T>
std::string placement_name() {
  return placement_name(placement_value_of<T>);
}

/// The printed form of a layout on a mesh: "{dp:R,tp:S(1)}". Accepts named layouts too.
template <any_mesh Mesh, class Layout>
std::string layout_name() {
  auto const& placements = placement_values<resolve_layout_t<Mesh, Layout>>;
  std::string out = "{";
  for (std::size_t k = 0; k < Mesh::axis_count; ++k) {  // appended piece by piece: g++ 12 misreads "," + std::string
    if (k) out += ',';
    out += Mesh::names[k];
    out += ':';
    out += placement_name(placements[k]);
  }
  return out + "}";
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
