// spmd/core/layout.hpp - a layout: one placement for every axis of a mesh.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <spmd/core/fixed_string.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/placement.hpp>

namespace spmd {

/// A layout: the placement of a tensor on each mesh axis.
/// Positional, in mesh order: `layout<R, S<0>>` on `mesh<"dp", "tp">`;
/// or named, in any order: `layout<at<"tp", S<0>>, at<"dp", R>>`.
template <class... Entries>
struct layout {};

/// A named layout entry: placement `Placement` on mesh axis `Axis`.
template <fixed_string Axis, class Placement>
struct at {
  static_assert(placement<Placement>, "spmd: at<axis, X>: X must be a placement (R, I, V, P or S<d>)");
};

namespace detail {
template <class T>
inline constexpr bool is_named_entry = false;
template <fixed_string A, class P>
inline constexpr bool is_named_entry<at<A, P>> = true;

template <class T>
inline constexpr bool is_layout = false;
template <class... Es>
inline constexpr bool is_layout<layout<Es...>> = true;

// One placement per axis, in mesh order: the form every tensor type is stored in.
template <class T>
inline constexpr bool is_canonical_layout = false;
template <placement... Ps>
inline constexpr bool is_canonical_layout<layout<Ps...>> = true;

template <class Entry>
struct entry_traits;
template <fixed_string A, class P>
struct entry_traits<at<A, P>> {
  static constexpr auto axis = A;
  using type = P;
};

// Finds the placement given for mesh axis `Axis` in a named layout; diagnoses a missing or doubled axis.
template <class Mesh, fixed_string Axis, class... Entries>
struct named_lookup {
  static constexpr std::size_t count = ((entry_traits<Entries>::axis.view() == Axis.view() ? 1 : 0) + ... + 0);
  static_assert(count != 0,
                "spmd: the layout gives no placement for this mesh axis; every mesh axis needs exactly "
                "one placement (add at<axis, R|I|V|P|S<d>>)");
  static_assert(count <= 1, "spmd: the layout names this mesh axis twice; give every mesh axis exactly one placement");

  template <class E>
  using pick = std::conditional_t<entry_traits<E>::axis.view() == Axis.view(), typename entry_traits<E>::type, void>;
  template <class... Ts>
  struct first_non_void {
    using type = R;  // fallback after a diagnosed error, so that only one error is printed
  };
  template <class T, class... Ts>
  struct first_non_void<T, Ts...> {
    using type = std::conditional_t<std::is_void_v<T>, typename first_non_void<Ts...>::type, T>;
  };
  using type = typename first_non_void<pick<Entries>...>::type;
};

// R on every one of N axes: what a layout resolves to after its error was diagnosed, so that the
// tensor type stays well formed and only that one error is printed.
template <class Indices>
struct fallback_layout_impl;
template <std::size_t... Is>
struct fallback_layout_impl<std::index_sequence<Is...>> {
  template <std::size_t>
  using r = R;
  using type = layout<r<Is>...>;
};
template <class Mesh>
using fallback_layout = typename fallback_layout_impl<std::make_index_sequence<Mesh::axis_count>>::type;

// What a named layout with an axis that is not in the mesh resolves to: the error, then R on every
// axis.
template <class Mesh, class... Entries>
struct unknown_axis_fallback {
  static_assert((Mesh::contains(entry_traits<Entries>::axis.view()) && ...),
                "spmd: the layout names an axis that is not in the mesh; check the spelling against the "
                "mesh<...> declaration");
  using type = fallback_layout<Mesh>;
};

template <class Mesh, class Layout, class Indices>
struct resolve_named;
template <class Mesh, class... Entries, std::size_t... Is>
struct resolve_named<Mesh, layout<Entries...>, std::index_sequence<Is...>> {
  static constexpr bool names_ok = (Mesh::contains(entry_traits<Entries>::axis.view()) && ...);
  struct lookup {  // instantiated only when every name is a mesh axis
    using type = layout<typename named_lookup<Mesh, Mesh::template name<Is>, Entries...>::type...>;
  };
  using type = typename std::conditional_t<names_ok, lookup, unknown_axis_fallback<Mesh, Entries...>>::type;
};

template <class Mesh, class Layout>
struct resolve_layout {
  static_assert(is_layout<Layout>, "spmd: expected a layout<...> as the tensor's layout");
  using type = fallback_layout<Mesh>;
};

template <class Mesh, placement... Ps>
struct resolve_layout<Mesh, layout<Ps...>> {
  static_assert(sizeof...(Ps) == Mesh::axis_count,
                "spmd: a positional layout<...> needs exactly one placement per mesh axis, in mesh "
                "order; or name the axes: layout<at<\"dp\", R>, at<\"tp\", S<0>>>");
  using type = std::conditional_t<sizeof...(Ps) == Mesh::axis_count, layout<Ps...>, fallback_layout<Mesh>>;
};

template <class Mesh, class... Entries>
  requires(sizeof...(Entries) > 0 && !(placement<Entries> && ...))
struct resolve_layout<Mesh, layout<Entries...>> {
  // (clang-format 14 misreads a fold expression in a constraint)
  // clang-format off
  static constexpr bool all_entries = ((placement<Entries> || is_named_entry<Entries>) && ...);
  // clang-format on
  static constexpr bool all_named = (is_named_entry<Entries> && ...);
  static_assert(all_entries,
                "spmd: a layout holds something that is neither a placement (R, I, V, P or S<d>) nor an "
                "at<axis, placement> entry");
  static_assert(!all_entries || all_named,
                "spmd: a layout mixes positional placements and at<axis, placement> entries; use one form");
  using type =
      typename std::conditional_t<all_named,
                                  resolve_named<Mesh, layout<Entries...>, std::make_index_sequence<Mesh::axis_count>>,
                                  std::type_identity<fallback_layout<Mesh>>>::type;
};
}  // namespace detail

/// The positional (mesh-order) form of `Layout` on `Mesh`; diagnoses missing, doubled or unknown axes.
template <any_mesh Mesh, class Layout>
using resolve_layout_t = typename detail::resolve_layout<Mesh, Layout>::type;

/// True for a positional layout whose entries are all placements.
template <class T>
concept canonical_layout = detail::is_canonical_layout<T>;

/// The placement on axis `Index` of a positional layout.
template <class Layout, std::size_t Index>
struct placement_at;
template <class... Ps, std::size_t Index>
struct placement_at<layout<Ps...>, Index> {
  using type = std::tuple_element_t<Index, std::tuple<Ps...>>;
};
template <class Layout, std::size_t Index>
using placement_at_t = typename placement_at<Layout, Index>::type;

/// True if a positional layout has an `ill_typed` placement: the tensor is the result of an op
/// the rules rejected (and have said why).
template <class Layout>
inline constexpr bool has_ill_typed = false;
template <class... Ps>
inline constexpr bool has_ill_typed<layout<Ps...>> = (ill_typed_placement<Ps> || ...);

namespace detail {
template <std::size_t>
using ill_typed_on = ill_typed;
template <class Indices>
struct ill_typed_layout_impl;
template <std::size_t... Is>
struct ill_typed_layout_impl<std::index_sequence<Is...>> {
  using type = layout<ill_typed_on<Is>...>;
};
}  // namespace detail

/// The layout of a result whose op was rejected as a whole (e.g. operands on different meshes):
/// `ill_typed` on every axis of `Mesh`.
template <class Mesh>
using ill_typed_layout_t = typename detail::ill_typed_layout_impl<std::make_index_sequence<Mesh::axis_count>>::type;

}  // namespace spmd
