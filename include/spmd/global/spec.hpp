// spmd/global/spec.hpp - partition specs: for each tensor dim, the mesh axes that shard it (major
// to minor), and the placement (R, I or P) of every mesh axis that shards nothing.
//
// Three spellings name the same global type (docs/global.md):
//   spmd::spec<on<"dp", "tp">, on<>, at<"cp", P>>     every axis named: in an on<...> or by at<>
//   jax::partition_spec<on<"dp", "tp">, on<>, at<"cp", jax::unreduced>>   unnamed axes are I
//   dtensor_spec<Shard<0>, Shard<0>, Partial>           one placement per mesh axis, in mesh order;
//                                                       a dim sharded by several axes: mesh order
// Each resolves, for a mesh and a number of tensor dims, to a positional layout (S<d> on the axes of dim d)
// and the canonical spec<on<...>...> (one on<> per tensor dim), which together are the type.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <spmd/core/fixed_string.hpp>
#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/meta.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>

namespace spmd {

/// One tensor dim of a partition spec: the mesh axes that shard it, major to minor
/// (`on<"dp", "tp">`: the dp coordinate picks the outer block, tp the block within it);
/// `on<>`: the dim is whole on every rank.
template <fixed_string... Axes>
struct on {
  static constexpr std::size_t count = sizeof...(Axes);
  static constexpr std::array<std::string_view, count> names{Axes.view()...};
};

/// A partition spec: one `on<...>` per tensor dim, in order, then `at<axis, R|I|P>` for every
/// mesh axis that shards no dim. Printed like `f32[8@(dp,tp),16]{cp:P}`.
template <class... Entries>
struct spec {};

namespace jax {
/// JAX's `PartitionSpec`: one `on<...>` per tensor dim (JAX's `P(("dp", "tp"), None)`), then
/// optionally `at<axis, jax::reduced>` / `at<axis, jax::unreduced>` for the axes of JAX's
/// `reduced` / `unreduced` sets. Every other axis is replicated: I.
template <class... Entries>
struct partition_spec {};
}  // namespace jax

/// DTensor's placements: one per mesh axis, in mesh order (`Shard<d>`, `Replicate`, `Partial`,
/// or `I`). Where several axes shard one dim, the first in mesh order holds the outer blocks,
/// as in DTensor's default.
template <class... Placements>
struct dtensor_spec {};

namespace global {

namespace detail {
template <class T>
inline constexpr bool is_dim = false;
template <fixed_string... A>
inline constexpr bool is_dim<on<A...>> = true;

template <class T>
inline constexpr bool is_whole_entry = false;  // at<axis, R|I|P>
template <fixed_string A, class Pl>
inline constexpr bool is_whole_entry<at<A, Pl>> = true;

/// What a spec says about each mesh axis: the dim it shards and its place in that dim's list, or
/// the kind of its whole placement (R, I or P); `named` counts how often the spec names it.
struct axis_entry {
  int dim = -1;                                      // the tensor dim this axis shards, or -1
  int position = -1;                                 // its place among that dim's axes (0: major)
  placement_kind whole = placement_kind::replicate;  // when dim < 0 (an axis the spec does not name is R)
  int named = 0;                                     // how many times the spec names the axis
};

/// The placement of one axis' entry: S<d> if it shards dim d, else its R, I or P.
constexpr placement_value entry_placement(axis_entry const& e) noexcept {
  return e.dim >= 0 ? placement_value{placement_kind::varying, e.dim} : placement_value{e.whole};
}

/// The placements of the entries `Axes`, one per mesh axis.
template <auto const& Axes>
inline constexpr auto entry_placements = on_every_axis<Axes.size()>([](std::size_t k) {
  return entry_placement(Axes[k]);
});

/// True for the kinds an axis that shards no dim may have beside a partition spec: R, I, P (a V
/// or S<d> there is an error).
constexpr bool whole_kind(placement_kind k) noexcept {
  return k == placement_kind::replicate || k == placement_kind::invariant || k == placement_kind::partial;
}

/// The resolution of a spec: per mesh axis, what the spec says; and what is wrong with it.
template <std::size_t N>
struct resolution {
  std::array<axis_entry, N> axes{};
  std::size_t dims = 0;          // number of on<...> entries
  bool unknown_axis = false;     // a name that is not a mesh axis
  bool sharded_entry = false;    // at<axis, V or S<d>>
  bool misplaced_entry = false;  // an on<...> after an at<...>, or an entry of another kind
};

template <class Mesh, bool DefaultI, class... Entries>
consteval resolution<Mesh::axis_count> resolve_entries() {
  resolution<Mesh::axis_count> out;
  bool seen_whole = false;
  auto one = [&]<class E>(std::type_identity<E>) {
    if constexpr (is_dim<E>) {
      if (seen_whole) out.misplaced_entry = true;
      int const d = static_cast<int>(out.dims++);
      for (std::size_t p = 0; p < E::count; ++p) {
        std::size_t const k = Mesh::find(E::names[p]);
        if (k >= Mesh::axis_count) {
          out.unknown_axis = true;
          continue;
        }
        ++out.axes[k].named;
        out.axes[k].dim = d;
        out.axes[k].position = static_cast<int>(p);
      }
    } else if constexpr (is_whole_entry<E>) {
      seen_whole = true;
      using traits = spmd::detail::entry_traits<E>;
      std::size_t const k = Mesh::find(traits::axis.view());
      if (k >= Mesh::axis_count) {
        out.unknown_axis = true;
        return;
      }
      ++out.axes[k].named;
      constexpr placement_kind kind = kind_of<typename traits::type>;
      out.axes[k].whole = whole_kind(kind) ? kind : placement_kind::replicate;  // (R after the error)
      if (!whole_kind(kind)) out.sharded_entry = true;
    } else {
      out.misplaced_entry = true;
    }
  };
  (one(std::type_identity<Entries>{}), ...);
  if constexpr (DefaultI)
    for (auto& a : out.axes)
      if (a.named == 0) a = axis_entry{-1, -1, placement_kind::invariant, 1};
  return out;
}

/// A positional DTensor-style layout as a resolution: the axes with S<d> shard dim d in mesh order.
template <class Mesh, class... Ps>
consteval resolution<Mesh::axis_count> resolve_placements(std::size_t ndim) {
  resolution<Mesh::axis_count> out;
  out.dims = ndim;
  constexpr auto const& values = placement_values<layout<Ps...>>;
  std::array<int, 64> next{};  // the next free position of each tensor dim
  for (std::size_t k = 0; k < sizeof...(Ps) && k < Mesh::axis_count; ++k) {
    out.axes[k].named = 1;
    if (values[k].is_shard()) {
      out.axes[k].dim = values[k].dim;
      out.axes[k].position = next[static_cast<std::size_t>(values[k].dim) % 64]++;
    } else {
      out.axes[k].whole = whole_kind(values[k].kind) ? values[k].kind : placement_kind::replicate;
      if (!whole_kind(values[k].kind)) out.sharded_entry = true;  // a plain V
    }
  }
  return out;
}

template <class Mesh, std::size_t Ndim, class Spec>
struct resolved_entries {
  static_assert(spmd::detail::always_false<Spec>,
                "spmd: a global tensor's spec must be spmd::spec<...>, jax::partition_spec<...> or "
                "dtensor_spec<...>");
  static constexpr bool dtensor = false;
  static constexpr resolution<Mesh::axis_count> value{};
};
template <class Mesh, std::size_t Ndim, class... Es>
struct resolved_entries<Mesh, Ndim, spec<Es...>> {
  static constexpr bool dtensor = false;
  static constexpr auto value = resolve_entries<Mesh, false, Es...>();
};
template <class Mesh, std::size_t Ndim, class... Es>
struct resolved_entries<Mesh, Ndim, jax::partition_spec<Es...>> {
  static constexpr bool dtensor = false;
  static constexpr auto value = resolve_entries<Mesh, true, Es...>();
};
template <class Mesh, std::size_t Ndim, class... Ps>
struct resolved_entries<Mesh, Ndim, dtensor_spec<Ps...>> {
  static_assert(sizeof...(Ps) == Mesh::axis_count,
                "spmd: dtensor_spec<...> gives one placement per mesh axis, in mesh order");
  static_assert((placement<Ps> && ...), "spmd: dtensor_spec<...> holds placements: Shard<d>, Replicate, Partial or I");
  static constexpr bool dtensor = true;
  static constexpr auto value = resolve_placements<Mesh, Ps...>(Ndim);
};

/// The diagnostic for mesh axis `Axis` of a spec (instantiated per axis, so that the compiler
/// names the axis).
template <class Axis, int Named, int Position>
struct axis_named_once {
  static_assert(Named != 0,
                "spmd: a global tensor's spec does not name this mesh axis: put it in the on<...> it shards, "
                "or give its placement with at<axis, R|I|P> (jax::partition_spec makes unnamed axes I)");
  static_assert(Named <= 1,
                "spmd: a global tensor's spec names this mesh axis twice; a mesh axis shards at most "
                "one dim, at one place, or has one placement");
  static constexpr bool value = Named == 1;
};

/// True if `Spec` is a well-formed spec of a `Ndim`-dim tensor on `Mesh`; otherwise one
/// static_assert per mistake.
template <class Mesh, std::size_t Ndim, class Spec, class Indices = std::make_index_sequence<Mesh::axis_count>>
struct spec_check;
template <class Mesh, std::size_t Ndim, class Spec, std::size_t... Ks>
struct spec_check<Mesh, Ndim, Spec, std::index_sequence<Ks...>> {
  using entries = resolved_entries<Mesh, Ndim, Spec>;
  static constexpr auto res = entries::value;
  static constexpr bool shard_dims_ok = [] {
    for (auto const& a : res.axes)
      if (a.dim >= static_cast<int>(Ndim)) return false;
    return true;
  }();
  static_assert(!res.unknown_axis,
                "spmd: a global tensor's spec names an axis that is not in the mesh; check the spelling against "
                "the mesh<...> declaration");
  static_assert(!res.sharded_entry,
                "spmd: at<axis, X> beside a partition spec takes X = R, I or P (and dtensor_spec has no plain V); "
                "an axis that shards a dim goes into that on<...>");
  static_assert(!res.misplaced_entry,
                "spmd: a spec lists one on<...> per tensor dim first, then at<axis, R|I|P> entries; nothing else");
  static_assert(entries::dtensor || res.dims == Ndim,
                "spmd: a spec needs exactly one on<...> per tensor dim (on<> for a dim that is not sharded)");
  static_assert(shard_dims_ok, "spmd: dtensor_spec has Shard<d> with d >= the tensor's number of dims");
  static constexpr bool names_ok =
      (axis_named_once<axis_tag<Mesh::template name<Ks>>, res.axes[Ks].named, res.axes[Ks].position>::value && ...);
  static constexpr bool value = names_ok && !res.unknown_axis && !res.sharded_entry && !res.misplaced_entry &&
                                (entries::dtensor || res.dims == Ndim) && shard_dims_ok;
};

/// The mesh axis at `position` of tensor dim `d` in a resolution.
template <std::size_t N>
constexpr std::size_t axis_at(std::array<axis_entry, N> const& axes, int d, int position) {
  for (std::size_t k = 0; k < N; ++k)
    if (axes[k].dim == d && axes[k].position == position) return k;
  return N;
}
template <std::size_t N>
constexpr std::size_t dim_count(std::array<axis_entry, N> const& axes, int d) {
  std::size_t n = 0;
  for (auto const& a : axes) n += a.dim == d ? 1 : 0;
  return n;
}

template <class Mesh, auto const& Axes, int D, class Positions>
struct dim_type_impl;
template <class Mesh, auto const& Axes, int D, std::size_t... Ps>
struct dim_type_impl<Mesh, Axes, D, std::index_sequence<Ps...>> {
  using type = on<Mesh::template name<axis_at(Axes, D, static_cast<int>(Ps))>...>;
};
/// The on<...> of tensor dim `D` in the per-axis entries `Axes`.
template <class Mesh, auto const& Axes, int D>
using dim_type = typename dim_type_impl<Mesh, Axes, D, std::make_index_sequence<dim_count(Axes, D)>>::type;

/// The `j`-th mesh axis (in mesh order) that shards no dim.
template <std::size_t N>
constexpr std::size_t whole_axis(std::array<axis_entry, N> const& axes, std::size_t j) {
  for (std::size_t k = 0; k < N; ++k)
    if (axes[k].dim < 0 && j-- == 0) return k;
  return N;
}
template <std::size_t N>
constexpr std::size_t whole_count(std::array<axis_entry, N> const& axes) {
  std::size_t n = 0;
  for (auto const& a : axes) n += a.dim < 0 ? 1 : 0;
  return n;
}

template <class Mesh, auto const& Axes, class Dims, class Ws>
struct canonical_impl;
template <class Mesh, auto const& Axes, std::size_t... Ds, std::size_t... Ws>
struct canonical_impl<Mesh, Axes, std::index_sequence<Ds...>, std::index_sequence<Ws...>> {
  using spec_type =
      spec<dim_type<Mesh, Axes, static_cast<int>(Ds)>...,
           at<Mesh::template name<whole_axis(Axes, Ws)>, placement_t<Axes[whole_axis(Axes, Ws)].whole>>...>;
  using layout_type = layout_of_values_t<entry_placements<Axes>>;
};

/// The canonical form of per-axis entries for a `Ndim`-dim tensor: `spec_type` (one on<...> per
/// tensor dim, then at<axis, R|I|P> for the other axes in mesh order) and `layout_type` (the local
/// layout: S<d> on the axes of dim d).
template <class Mesh, std::size_t Ndim, auto const& Axes>
using canonical =
    canonical_impl<Mesh, Axes, std::make_index_sequence<Ndim>, std::make_index_sequence<whole_count(Axes)>>;

/// What a malformed spec resolves to, after its diagnostic: nothing sharded, R everywhere.
template <class Mesh>
inline constexpr std::array<axis_entry, Mesh::axis_count> fallback_axes = [] {
  std::array<axis_entry, Mesh::axis_count> a{};
  for (auto& e : a) e = axis_entry{-1, -1, placement_kind::replicate, 1};
  return a;
}();

template <class Mesh, std::size_t Ndim, class Spec, bool Ok = spec_check<Mesh, Ndim, Spec>::value>
struct resolved {
  static constexpr std::array<axis_entry, Mesh::axis_count> axes = resolved_entries<Mesh, Ndim, Spec>::value.axes;
  using type = canonical<Mesh, Ndim, axes>;
};
template <class Mesh, std::size_t Ndim, class Spec>
struct resolved<Mesh, Ndim, Spec, false> {
  using type = canonical<Mesh, Ndim, fallback_axes<Mesh>>;
};
}  // namespace detail

/// The canonical partition spec of `Spec` for a `Ndim`-dim tensor on `Mesh`: one on<...> per
/// tensor dim, then at<axis, R|I|P> for the other axes, in mesh order. Diagnoses unknown, missing
/// or doubled axes.
template <any_mesh Mesh, std::size_t Ndim, class Spec>
using canonical_spec_t = typename detail::resolved<Mesh, Ndim, Spec>::type::spec_type;

/// The local layout a spec erases to: S<d> on the axes that shard dim d, the given R, I or P on the
/// others.
template <any_mesh Mesh, std::size_t Ndim, class Spec>
using erased_layout_t = typename detail::resolved<Mesh, Ndim, Spec>::type::layout_type;

}  // namespace global
}  // namespace spmd
