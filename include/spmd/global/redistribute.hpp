// spmd/global/redistribute.hpp - global::redistribute<Spec>(r, x): change a global tensor's spec,
// by the plan of global/plan.hpp, each step one typed collective (or convert) on the local
// tensor, with split sizes that follow from the global extents (uneven shards included).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <spmd/comm/arguments.hpp>
#include <spmd/comm/detail/local_checks.hpp>
#include <spmd/comm/redistribute.hpp>
#include <spmd/global/blocks.hpp>
#include <spmd/global/plan.hpp>
#include <spmd/global/tensor.hpp>
#include <spmd/runtime/communicator.hpp>

namespace spmd::global {

/// The plan `redistribute` runs from global tensor type `Src` to spec `Dst` (any spelling, or a
/// global tensor type): `fmt::format("{}", plan_of<Src, Dst>)` prints it,
/// "all_gather(tp: S(0)->R); all_gather(dp: S(0)->R); convert(tp: R->S(0)); convert(dp: R->S(0))".
template <class Src, class Dst>
inline constexpr auto plan_of = [] {
  using X = std::remove_cvref_t<Src>;
  using Y = std::conditional_t<spmd::global_typed_tensor<Dst>, Dst, spmd::global_like_t<X, Dst>>;
  return plan<typename X::mesh_type, detail::type_entries<X>::value, detail::type_entries<Y>::value, X::ndim>{};
}();

namespace detail {

/// How the steps of a plan run on what a global tensor holds: typed collectives on tensors;
/// <spmd/global/autograd.hpp> adds the recorded ones for autograd variables.
template <class Inner>
struct steps_for {
  static_assert(typed_tensor<Inner>,
                "spmd: global::redistribute of a variable needs <spmd/global/autograd.hpp> (or <spmd/global.hpp>)");
  using type = comm::tensor_steps_in_plan_order;  // a spec's block order is its own
};

/// The length of this rank's block of dim `d` when sharded on the `count` axes of `prefix`.
template <class Mesh, std::size_t N, class Rank>
std::size_t prefix_block(Rank& r, std::size_t extent, std::array<int, N> const& prefix, int count) {
  block b{0, extent};
  for (int p = 0; p < count; ++p) {
    auto const name = Mesh::names[static_cast<std::size_t>(prefix[static_cast<std::size_t>(p)])];
    b = piece(b, r.axis_size(name), r.coord(name));
  }
  return b.length;
}

/// True if every sharded dim of both ends divides evenly over all its axes.
template <class Src, class Dst, class Rank>
bool evenly_sharded(Rank& r, typename Src::extents_type const& extents) {
  using mesh = typename Src::mesh_type;
  constexpr auto a = type_entries<Src>::value;
  constexpr auto b = type_entries<Dst>::value;
  for (std::size_t d = 0; d < Src::ndim; ++d) {
    std::size_t na = 1, nb = 1;
    for (std::size_t k = 0; k < mesh::axis_count; ++k) {
      if (a[k].dim == static_cast<int>(d)) na *= r.axis_size(mesh::names[k]);
      if (b[k].dim == static_cast<int>(d)) nb *= r.axis_size(mesh::names[k]);
    }
    if (extents[d] % na != 0 || extents[d] % nb != 0) return false;
  }
  return true;
}

template <class Runner, class Mesh, auto const& Steps, bool Expert, std::size_t I, class Rank, class T, class Extents>
auto run_steps(Rank& r, T&& x, Extents const& extents) {
  if constexpr (I == Steps.count) {
    return std::remove_cvref_t<T>(std::forward<T>(x));
  } else {
    constexpr auto s = Steps.list[I];
    std::vector<std::size_t> gathered, created;
    if constexpr (std::has_single_bit(s.axes)) {  // a flattened step runs only on even shards
      constexpr std::size_t k = static_cast<std::size_t>(std::countr_zero(s.axes));
      std::size_t const n = r.axis_size(Mesh::names[k]);
      if constexpr (s.from_dim >= 0)
        gathered = piece_lengths(prefix_block<Mesh>(r, extents[s.from_dim], s.from_prefix, s.from_count), n);
      if constexpr (s.to_dim >= 0)
        created = piece_lengths(prefix_block<Mesh>(r, extents[s.to_dim], s.to_prefix, s.to_count), n);
    }
    return run_steps<Runner, Mesh, Steps, Expert, I + 1>(
        r,
        Runner::template apply<s.kind, comm::plan::axes_name<Mesh, s.axes>, placement_t<s.src.kind, s.src.dim>,
                               placement_t<s.dst.kind, s.dst.dim>, Expert>(r, std::forward<T>(x), split_sizes(gathered),
                                                                           split_sizes(created)),
        extents);
  }
}

/// True if every step of `Steps` is one that the placement table allows (else its diagnostic,
/// naming the axis and both placements).
template <class Mesh, auto const& Steps, bool Expert, std::size_t... Is>
consteval bool steps_allowed(std::index_sequence<Is...>) {
  return (comm::plan::step_allowed<
              axis_tag<Mesh::template name<static_cast<std::size_t>(std::countr_zero(Steps.list[Is].axes))>>,
              placement_t<Steps.list[Is].src.kind, Steps.list[Is].src.dim>,
              placement_t<Steps.list[Is].dst.kind, Steps.list[Is].dst.dim>, Expert>() &&
          ...);
}

template <class Dst, bool Expert, class Rank, class X>
Dst redistribute_to(Rank& r, X const& x) {
  using Src = std::remove_cvref_t<X>;
  using mesh = typename Src::mesh_type;
  using local = typename Src::local_type;
  static_assert(std::is_same_v<local, typename Dst::local_type> && std::is_same_v<mesh, typename Dst::mesh_type>,
                "spmd: global::redistribute changes the spec only; the local type and the mesh stay");
  using steps = plan<mesh, type_entries<Src>::value, type_entries<Dst>::value, Src::ndim>;
  if constexpr (!comm::detail::movable_local<local>()) {
    return Dst{};  // after the diagnostic
  } else if constexpr (!steps_allowed<mesh, steps::unmerged, Expert>(
                           std::make_index_sequence<steps::unmerged.count>{})) {
    return Dst{};
  } else if constexpr (!comm::detail::local_fits_plan<local, comm::plan::slices(steps::unmerged)>()) {
    return Dst{};
  } else {
    using runner = typename steps_for<typename Src::inner_type>::type;
    auto const& extents = x.global_shape();
    if (evenly_sharded<Src, Dst>(r, extents))
      return Dst{run_steps<runner, mesh, steps::even, Expert, 0>(r, x.typed(), extents), extents};
    return Dst{run_steps<runner, mesh, steps::uneven, Expert, 0>(r, x.typed(), extents), extents};
  }
}

}  // namespace detail

/// `x` with spec `Spec` (spmd::spec<...>, jax::partition_spec<...> or dtensor_spec<...>): the
/// collectives of plan_of<X, Spec>, planned at compile time. Shards may be uneven: the split
/// sizes follow from the global extents (global/blocks.hpp); gathers and scatters over several
/// axes then run one axis at a time. Changes that need spmd::expert one by one need it here too.
template <class Spec, rank_context Rank, spmd::global_typed_tensor X>
auto redistribute(Rank& r, X const& x) {
  return detail::redistribute_to<spmd::global_like_t<X, Spec>, false>(r, x);
}
template <class Spec, rank_context Rank, spmd::global_typed_tensor X>
auto redistribute(Rank& r, X const& x, expert_t) {
  return detail::redistribute_to<spmd::global_like_t<X, Spec>, true>(r, x);
}

}  // namespace spmd::global

/// `fmt::format("{}", global::plan_of<Src, Dst>)`: the steps, e.g.
/// "all_gather(dp,tp: S(0)->R)" or "all_gather(tp: S(0)->R); convert(tp: R->S(1))".
template <class Mesh, auto const& From, auto const& To, std::size_t Ndim>
struct fmt::formatter<spmd::global::plan<Mesh, From, To, Ndim>> : fmt::formatter<std::string> {
  template <class FormatContext>
  auto format(spmd::global::plan<Mesh, From, To, Ndim> const& p, FormatContext& ctx) const {
    return fmt::formatter<std::string>::format(spmd::global::plan_text<Mesh>(p.even), ctx);
  }
};
