// spmd/rules/out_partial.hpp - out_partial<axes...>: a contraction whose result is a pending sum.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <spmd/core/fixed_string.hpp>
#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/axis_rule.hpp>

namespace spmd {

/// Tag type of `out_partial`.
template <fixed_string... Axes>
struct out_partial_t {
  /// True if `name` is one of the axes.
  static constexpr bool names([[maybe_unused]] std::string_view name) noexcept {
    return ((Axes.view() == name) || ... || false);
  }
};

/// Passed to matmul/einsum/sum: on the mesh axes `Axes` the contraction runs over a dim sharded
/// in every operand that has it, so each rank holds a partial sum and the result is P, to be
/// reduced. This is the row-parallel matmul: `matmul(h, w2, out_partial<"tp">)`. It also declares
/// a contraction of plain V pieces a pending sum.
template <fixed_string... Axes>
inline constexpr out_partial_t<Axes...> out_partial{};

/// No `out_partial`: the default of matmul/einsum.
using no_out_partial = out_partial_t<>;

namespace detail {
template <class T>
inline constexpr bool is_out_partial = false;
template <fixed_string... Axes>
inline constexpr bool is_out_partial<out_partial_t<Axes...>> = true;
}  // namespace detail

/// True for the types of `out_partial<...>`.
template <class T>
concept out_partial_spec = detail::is_out_partial<T>;

namespace rules {

namespace detail {
/// Whether `OutPartial` names only axes of `Mesh`, each once (asks, never fails to compile).
template <class Mesh, class OutPartial>
struct out_partial_axes;
template <class Mesh, fixed_string... Axes>
struct out_partial_axes<Mesh, out_partial_t<Axes...>> {
  static constexpr bool valid = (Mesh::contains(Axes.view()) && ... && true) && spmd::detail::names_distinct<Axes...>();
};

/// Instantiating it diagnoses an out_partial that names an unknown axis (with the name in the
/// context) or an axis twice.
template <class Mesh, class OutPartial>
struct checked_out_partial;
template <class Mesh, fixed_string... Axes>
struct checked_out_partial<Mesh, out_partial_t<Axes...>> {
  // Naming axis_index diagnoses an unknown axis name, with the name in the context.
  static constexpr bool known = ((void)axis_index<Mesh, Axes>, ..., true);
  static_assert(known && spmd::detail::names_distinct<Axes...>(), "spmd: out_partial names a mesh axis twice");
};

template <class A, class B>
struct join_out_partial;
template <fixed_string... A, fixed_string... B>
struct join_out_partial<out_partial_t<A...>, out_partial_t<B...>> {
  using type = out_partial_t<A..., B...>;
};
template <class... Ts>
struct join_all {
  using type = out_partial_t<>;
};
template <class T, class... Ts>
struct join_all<T, Ts...> {
  using type = typename join_out_partial<T, typename join_all<Ts...>::type>::type;
};

template <class Mesh, class Mask, class Indices>
struct out_partial_where_impl;
template <class Mesh, class Mask, std::size_t... Is>
struct out_partial_where_impl<Mesh, Mask, std::index_sequence<Is...>> {
  using type = typename join_all<
      std::conditional_t<Mask::value[Is], out_partial_t<Mesh::template name<Is>>, out_partial_t<>>...>::type;
};
}  // namespace detail

/// The out_partial of the axes of `Mesh` whose entry in `Mask::value` (a constexpr array of one
/// bool per axis, in mesh order) is true.
template <any_mesh Mesh, class Mask>
using out_partial_where_t =
    typename detail::out_partial_where_impl<Mesh, Mask, std::make_index_sequence<Mesh::axis_count>>::type;

}  // namespace rules

namespace detail {
template <class T, int Dim>
struct shard_mask {
  static constexpr auto value = on_every_axis<T::mesh_type::axis_count>(
      [](std::size_t a) { return placement_values<typename T::layout_type>[a] == placement_value_of<S<Dim>>; });
};
template <class T>
struct any_shard_mask {
  static constexpr auto value = on_every_axis<T::mesh_type::axis_count>(
      [](std::size_t a) { return placement_values<typename T::layout_type>[a].is_shard(); });
};
}  // namespace detail

/// The out_partial of every mesh axis on which tensor type `T` is sharded (along any dim): the
/// argument of a sum over all elements (`sum_all`).
template <class T>
using out_partial_over_any_shard_t = rules::out_partial_where_t<typename T::mesh_type, detail::any_shard_mask<T>>;

/// The out_partial of every mesh axis on which tensor type `T` is sharded along `Dim`: the
/// argument a generic sum over `Dim` passes (`sum<0>(g, out_partial_over_shards_t<G, 0>{})`).
template <class T, int Dim>
using out_partial_over_shards_t = rules::out_partial_where_t<typename T::mesh_type, detail::shard_mask<T, Dim>>;

}  // namespace spmd
