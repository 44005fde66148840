// spmd/comm/redistribute.hpp - redistribute<Layout>(r, x): change a tensor's whole layout, with
// the sequence of collectives, converts and reinterprets planned at compile time.
//
// Per mesh axis the change is the one operation of the placement table (docs/collectives.md):
// P -> R|I all_reduce, P -> S<d> reduce_scatter, S<d> -> R|I all_gather, S<a> -> S<b> all_to_all,
// R|I -> S<d> and I -> R and R -> P convert, V -> P reinterpret, ...; S<d> -> P and I -> P go
// through R (their direct converts are expert-only). The plan orders the steps so that
// the result means the same global tensor when several axes shard one dim. Such a dim is split
// in mesh order: the first of those axes holds the outermost chunks (as in a flattened "dp,tp"
// group, DTensor's [Shard(0), Shard(0)] and JAX's P(("dp", "tp"))). So an axis is gathered (or
// all_to_all'ed, or split) only while no later axis shards the same dim; if one does, that later
// axis is gathered first and split again afterwards.
//
// The first check is on the local tensor type: a buffer_tensor, and a row_major_tensor when the
// plan gathers, scatters, moves or splits a shard (spmd/local/buffer.hpp).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include <spmd/comm/collectives.hpp>
#include <spmd/comm/convert.hpp>
#include <spmd/comm/detail/local_checks.hpp>
#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/meta.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/transitions.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/tensor.hpp>

namespace spmd {

namespace comm {

/// The kinds of step a redistribution is made of.
enum class step_kind { all_reduce, reduce_scatter, all_gather, all_to_all, convert, reinterpret };

namespace plan {

// The planner computes with placement values (core/placement.hpp): S<d> is {varying, d}.
inline constexpr placement_value r_value = placement_value_of<R>, i_value = placement_value_of<I>,
                                 v_value = placement_value_of<V>, p_value = placement_value_of<P>;

/// The operation that takes one axis from `src` to `dst` (src != dst), as in the placement table.
constexpr step_kind kind_for(placement_value src, placement_value dst) {
  if (src == p_value) return dst.kind == placement_kind::varying ? step_kind::reduce_scatter : step_kind::all_reduce;
  if (src.is_shard()) {
    if (dst.is_whole()) return step_kind::all_gather;
    return dst.is_shard() ? step_kind::all_to_all : step_kind::convert;
  }
  if (src == v_value) return dst == p_value ? step_kind::reinterpret : step_kind::convert;
  return dst == v_value ? step_kind::reinterpret : step_kind::convert;  // R or I
}

struct step {
  step_kind kind{};
  std::uint64_t axes = 0;  // bit k: mesh axis k (several bits: one collective over them, flattened)
  placement_value src{}, dst{};
};

/// The steps from layout `from` to layout `to` (one placement value per mesh axis), in order.
template <std::size_t N>
struct steps {
  std::array<step, 3 * N> list{};
  std::size_t count = 0;
};

/// Where one step from `src` heads for `dst`: a shard or an I that must become P goes through R
/// (all_gather or convert, then convert(R, P)) instead of the expert-only direct converts.
constexpr placement_value next_target(placement_value src, placement_value dst) {
  return dst == p_value && (src.is_shard() || src == i_value) ? r_value : dst;
}

template <std::size_t N>
constexpr steps<N> make(std::array<placement_value, N> from, std::array<placement_value, N> const& to) {
  steps<N> out;
  auto state = from;
  auto emit = [&](std::size_t k, placement_value dst) {
    out.list[out.count++] = step{kind_for(state[k], dst), std::uint64_t{1} << k, state[k], dst};
    state[k] = dst;
  };
  // A later axis shards the dim `c` names: axis k may not gather, split or move that dim yet.
  auto later_shards = [&](std::size_t k, placement_value c) {
    if (!c.is_shard()) return false;
    for (std::size_t m = k + 1; m < N; ++m)
      if (state[m] == c) return true;
    return false;
  };
  auto gathers = [&](std::size_t k) {  // all_reduce or all_gather
    return next_target(state[k], to[k]).is_whole() && (state[k] == p_value || state[k].is_shard());
  };
  auto splits = [&](std::size_t k) {  // convert R|I -> S<d> or reduce_scatter P -> S<d>
    return to[k].is_shard() && !state[k].is_shard() && state[k] != v_value;
  };
  for (;;) {
    bool done = true, progress = false;
    // 1. Make whole (all_reduce, all_gather), the innermost axis first.
    for (std::size_t k = N; k-- > 0;) {
      if (state[k] == to[k]) continue;
      done = false;
      if (gathers(k) && !later_shards(k, state[k])) {
        emit(k, next_target(state[k], to[k]));
        progress = true;
      }
    }
    // 2. Steps that split nothing: all_to_all, converts and reinterprets of one rank's data.
    for (std::size_t k = 0; k < N; ++k) {
      if (state[k] == to[k] || gathers(k) || splits(k)) continue;
      if (later_shards(k, state[k]) || (state[k].is_shard() && later_shards(k, to[k]))) continue;
      emit(k, next_target(state[k], to[k]));
      progress = true;
    }
    // 3. Split, the outermost axis first.
    for (std::size_t k = 0; k < N; ++k) {
      if (state[k] == to[k] || !splits(k) || later_shards(k, to[k])) continue;
      emit(k, to[k]);
      progress = true;
    }
    if (done || out.count + 1 >= out.list.size()) return out;  // (the bound is never reached)
    if (!progress) {
      // Blocked: some axis k must change a dim that a later axis m also shards. Gather the
      // innermost such m (to R, or to I if that is where it ends); it is split again later.
      for (std::size_t m = N; m-- > 0;) {
        if (!state[m].is_shard()) continue;
        bool blocks = false;
        for (std::size_t k = 0; k < m; ++k)
          blocks = blocks || (state[k] != to[k] && (state[k] == state[m] || to[k] == state[m]));
        if (blocks) {
          emit(m, to[m] == i_value ? i_value : r_value);
          break;
        }
      }
    }
  }
}

/// `p` with runs of the same collective merged into one over the flattened axes (ranks row-major in
/// mesh order): all_reduce steps with the same source and destination; all_gather steps with the
/// same source and destination taken innermost first; reduce_scatter steps outermost first. Each
/// equals the run it replaces. The gathers and scatters of the axes in `separate` (a bit per axis:
/// those with uneven split sizes) stay one step per axis: a flattened group's split would need
/// every rank's sizes on the other axes, which no rank has.
/// (`Steps` is steps<N>, or any list of steps derived from `step` with `list` and `count`.)
template <class Steps>
constexpr Steps merged(Steps const& p, std::uint64_t separate = 0) {
  auto lowest = [](std::uint64_t m) {
    std::size_t k = 0;
    while ((m >> k & 1u) == 0) ++k;
    return k;
  };
  auto highest = [](std::uint64_t m) {
    std::size_t k = 63;
    while ((m >> k & 1u) == 0) --k;
    return k;
  };
  Steps out{};
  for (std::size_t i = 0; i < p.count; ++i) {
    auto const s = p.list[i];
    if (out.count > 0) {
      auto& last = out.list[out.count - 1];
      bool const same = last.kind == s.kind && last.src == s.src && last.dst == s.dst;
      bool const apart = ((last.axes | s.axes) & separate) != 0;
      bool const joins = (s.kind == step_kind::all_reduce) ||
                         (!apart && s.kind == step_kind::all_gather && highest(s.axes) < lowest(last.axes)) ||
                         (!apart && s.kind == step_kind::reduce_scatter && lowest(s.axes) > highest(last.axes));
      if (same && joins) {
        last.axes |= s.axes;
        continue;
      }
    }
    out.list[out.count++] = s;
  }
  return out;
}

/// True if `p` (steps<N>, or another list of steps derived from `step`), applied to `from`,
/// gives `to`.
template <class Steps, std::size_t N>
constexpr bool reaches(Steps const& p, std::array<placement_value, N> from, std::array<placement_value, N> const& to) {
  for (std::size_t i = 0; i < p.count; ++i)
    for (std::size_t k = 0; k < N; ++k)
      if (p.list[i].axes >> k & 1u) from[k] = p.list[i].dst;
  return from == to;
}

/// The plan from tensor layout `From` to `To` (both positional); the axes in `Separate` (a bit per
/// axis) gather and split one axis per step.
template <class From, class To, std::uint64_t Separate = 0>
inline constexpr auto steps_between = merged(make(placement_values<From>, placement_values<To>), Separate);

/// True if the plan from `From` to `To` gives `To` (the planner's own check).
template <class From, class To>
inline constexpr bool reaches_destination = reaches(steps_between<From, To>, placement_values<From>,
                                                    placement_values<To>);

/// Which split sizes of its axis a step uses on each side: none, those of the source layout's
/// shards ("from") or those of the destination layout's ("to").
enum class sizes_role { none, from, to };

/// The side of step `s` that consumes a shard (all_gather, all_to_all's source) and the side that
/// creates one (reduce_scatter, convert R|I -> S<d>, all_to_all's destination).
constexpr bool consumes_shard(step const& s) {
  return s.src.is_shard() && (s.kind == step_kind::all_gather || s.kind == step_kind::all_to_all);
}
constexpr bool creates_shard(step const& s) {
  return s.dst.is_shard() && (s.kind == step_kind::reduce_scatter || s.kind == step_kind::all_to_all ||
                              (s.kind == step_kind::convert && s.src.is_whole()));
}

/// The sizes step `i` of `p` consumes along mesh axis `k`: the source's, if no step before it
/// changed axis k; otherwise the shard was created by this plan, and every shard it creates is the
/// destination's (splits go to the destination placement only).
template <std::size_t N>
constexpr sizes_role consumed_role(steps<N> const& p, std::size_t i, std::size_t k) {
  if (!(p.list[i].axes >> k & 1u) || !consumes_shard(p.list[i])) return sizes_role::none;
  for (std::size_t j = 0; j < i; ++j)
    if (p.list[j].axes >> k & 1u) return sizes_role::to;
  return sizes_role::from;
}
template <std::size_t N>
constexpr sizes_role created_role(steps<N> const& p, std::size_t i, std::size_t k) {
  return (p.list[i].axes >> k & 1u) && creates_shard(p.list[i]) ? sizes_role::to : sizes_role::none;
}

/// Whether some step of `p` cuts or joins a tensor along a dim (gathers, scatters, moves, splits
/// or places a shard): those need the local tensor's data in row-major order.
template <class Steps>
constexpr bool slices(Steps const& p) {
  for (std::size_t i = 0; i < p.count; ++i) {
    step const& s = p.list[i];  // (a base of the element type for global plans)
    if (consumes_shard(s) || creates_shard(s) || (s.kind == step_kind::convert && s.src.is_shard() && s.dst == p_value))
      return true;
  }
  return false;
}

/// Whether some step of `p` uses the sizes of `role` on mesh axis `k`.
template <std::size_t N>
constexpr bool uses(steps<N> const& p, std::size_t k, sizes_role role) {
  for (std::size_t i = 0; i < p.count; ++i)
    if (consumed_role(p, i, k) == role || created_role(p, i, k) == role) return true;
  return false;
}
/// Diagnoses a change of one axis that redistribute cannot make (with the message of the
/// operation it would be, or why none is), so that the error names the axis and both placements.
template <class Axis, placement Src, placement Dst, bool Expert>
consteval bool step_allowed() {
  constexpr placement_value src = placement_value_of<Src>, dst = placement_value_of<Dst>;
  if constexpr (src == dst) {
    return true;
  } else if constexpr (src == v_value && dst.is_whole()) {
    static_assert(spmd::detail::always_false<Axis, Src, Dst>,
                  "spmd: redistribute: a plain V on this mesh axis has no dim to gather along; convert it "
                  "to S<d> first (convert<axis, V, S<d>>), or reinterpret it as a pending sum (P) to sum it");
    return false;
  } else if constexpr (next_target(src, dst) != dst) {
    return step_allowed<Axis, Src, R, Expert>() && step_allowed<Axis, R, Dst, Expert>();
  } else {
    constexpr step_kind k = kind_for(src, dst);
    if constexpr (k == step_kind::all_reduce)
      return rules::all_reduce_allowed<Axis, Src, Dst>();
    else if constexpr (k == step_kind::reduce_scatter)
      return rules::reduce_scatter_allowed<Axis, Src, Dst>();
    else if constexpr (k == step_kind::all_gather)
      return rules::all_gather_allowed<Axis, Src, Dst>();
    else if constexpr (k == step_kind::all_to_all)
      return rules::all_to_all_allowed<Axis, Src, Dst>();
    else if constexpr (k == step_kind::convert)
      return rules::convert_allowed<Axis, Src, Dst, Expert>();
    else
      return rules::reinterpret_allowed<Axis, Src, Dst, Expert>();
  }
}

/// True if redistribute may change every axis of `Mesh` from `From` to `To` (else the diagnostic).
template <class Mesh, class From, class To, bool Expert>
inline constexpr bool all_allowed = all_axes<Mesh, From, To>([]<class Axis, class Src, class Dst>() {
  return step_allowed<Axis, Src, Dst, Expert>();
});

template <std::size_t N>
struct char_array {
  char data[N]{};
};

template <class Mesh, std::uint64_t Axes>
struct axes_name_impl {
  static constexpr std::size_t length = [] {
    std::size_t n = 0;
    for (std::size_t k = 0; k < Mesh::axis_count; ++k)
      if (Axes >> k & 1u) n += Mesh::names[k].size() + 1;
    return n;  // one ',' per name but the last, plus the NUL
  }();
  static constexpr char_array<length> text = [] {
    char_array<length> t;
    std::size_t at = 0;
    for (std::size_t k = 0; k < Mesh::axis_count; ++k) {
      if ((Axes >> k & 1u) == 0) continue;
      if (at != 0) t.data[at++] = ',';
      for (char c : Mesh::names[k]) t.data[at++] = c;
    }
    return t;
  }();
  static constexpr fixed_string<length> value{text.data};
};

/// The names of the mesh axes in `Axes` (a bit per axis), comma-separated in mesh order: the
/// first template argument of the collective that runs over them ("tp", "dp,tp").
template <class Mesh, std::uint64_t Axes>
inline constexpr auto axes_name = axes_name_impl<Mesh, Axes>::value;

}  // namespace plan

/// How each kind of step runs on plain tensors (autograd has its own, for variables). `gathered`:
/// the split sizes of the shards a step consumes, `created`: of those it creates (empty: even).
struct tensor_steps {
  template <step_kind K, fixed_string Axis, placement Src, placement Dst, bool Expert, class Rank, class T>
  static auto apply(Rank& r, T&& x, split_sizes gathered, split_sizes created) {
    if constexpr (K == step_kind::all_reduce)
      return spmd::all_reduce<Axis, Src, Dst>(r, std::forward<T>(x));
    else if constexpr (K == step_kind::reduce_scatter)
      return spmd::reduce_scatter<Axis, Src, Dst>(r, std::forward<T>(x), created);
    else if constexpr (K == step_kind::all_gather)
      return spmd::all_gather<Axis, Src, Dst>(r, std::forward<T>(x), gathered);
    else if constexpr (K == step_kind::all_to_all)
      return spmd::all_to_all<Axis, Src, Dst>(r, std::forward<T>(x), gathered, created);
    else if constexpr (K == step_kind::convert && Expert)
      return spmd::convert<Axis, Src, Dst>(r, std::forward<T>(x), expert, shard_placement<Dst> ? created : gathered);
    else if constexpr (K == step_kind::convert)
      return spmd::convert<Axis, Src, Dst>(r, std::forward<T>(x), shard_placement<Dst> ? created : gathered);
    else if constexpr (Expert)
      return spmd::reinterpret<Axis, Src, Dst>(std::forward<T>(x), expert);
    else
      return spmd::reinterpret<Axis, Src, Dst>(std::forward<T>(x));
  }
};

/// The op type of a step of kind `K` on `Axis` from `Src` to `Dst` (naming the types does not
/// instantiate them, so the transitions of the other kinds are not checked).
template <step_kind K, fixed_string Axis, placement Src, placement Dst>
using step_op_t = std::conditional_t<
    K == step_kind::all_reduce, all_reduce_op<Axis, Src, Dst>,
    std::conditional_t<
        K == step_kind::reduce_scatter, reduce_scatter_op<Axis, Src, Dst>,
        std::conditional_t<K == step_kind::all_gather, all_gather_op<Axis, Src, Dst>,
                           std::conditional_t<K == step_kind::all_to_all, all_to_all_op<Axis, Src, Dst>,
                                              std::conditional_t<K == step_kind::convert, convert_op<Axis, Src, Dst>,
                                                                 reinterpret_op<Axis, Src, Dst>>>>>>;

/// The steps of a plan made for a block order the local types do not record: the global view's
/// specs may shard a dim on several axes out of mesh order (`on<"tp", "dp">`), whose blocks the
/// local layout cannot tell from mesh order. The global planner orders the steps for the spec, so
/// they run here without the block-order check of the collectives (rules/block_order.hpp, which
/// assumes mesh order); each op type still checks its transition, and a non-expert plan its
/// expert ones. `sizes` and `dst_sizes` are what the step's op takes (and its backward keeps).
struct tensor_steps_in_plan_order {
  template <step_kind K, placement Dst>
  static constexpr split_sizes sizes(split_sizes gathered, split_sizes created) {
    if constexpr (K == step_kind::reduce_scatter)
      return created;
    else if constexpr (K == step_kind::all_gather || K == step_kind::all_to_all)
      return gathered;
    else if constexpr (K == step_kind::convert)
      return shard_placement<Dst> ? created : gathered;
    else
      return {};
  }
  template <step_kind K>
  static constexpr split_sizes dst_sizes(split_sizes created) {
    return K == step_kind::all_to_all ? created : split_sizes{};
  }

  template <step_kind K, fixed_string Axis, placement Src, placement Dst, bool Expert, class Rank, class T>
  static auto apply(Rank& r, T&& x, split_sizes gathered, split_sizes created) {
    if constexpr (K == step_kind::convert && !Expert)
      static_assert(rules::convert_allowed<axis_tag<Axis>, Src, Dst, false>());
    if constexpr (K == step_kind::reinterpret && !Expert)
      static_assert(rules::reinterpret_allowed<axis_tag<Axis>, Src, Dst, false>());
    using op_t = step_op_t<K, Axis, Src, Dst>;
    if constexpr (K == step_kind::all_to_all)
      return op_t::apply(r, std::forward<T>(x), sizes<K, Dst>(gathered, created), dst_sizes<K>(created));
    else
      return op_t::apply(r, std::forward<T>(x), sizes<K, Dst>(gathered, created));
  }
};

/// Split sizes for `redistribute` on one mesh axis (made by spmd::split_on): one list, or two
/// (the source's shards, then the destination's).
template <fixed_string Axis, std::size_t Lists>
struct axis_split {
  static constexpr std::string_view axis = Axis.view();
  static constexpr std::size_t lists = Lists;
  std::array<split_sizes, Lists> sizes;
};

template <class T>
inline constexpr bool is_axis_split = false;
template <fixed_string Axis, std::size_t Lists>
inline constexpr bool is_axis_split<axis_split<Axis, Lists>> = true;

namespace detail {

/// The split sizes of each mesh axis in a redistribution: of the source layout's shards and of the
/// destination layout's (empty: even).
template <std::size_t N>
struct axis_sizes {
  std::array<split_sizes, N> from{}, to{};
};

/// Runs steps I, I + 1, ... of `Plan` with `Steps`.
template <class Steps, class Mesh, auto const& Plan, bool Expert, std::size_t I, class Rank, class T>
auto run_plan(Rank& r, T&& x, axis_sizes<Mesh::axis_count> const& sizes) {
  if constexpr (I == Plan.count) {
    return std::remove_cvref_t<T>(std::forward<T>(x));
  } else {
    constexpr plan::step s = Plan.list[I];
    // Only a step over one axis can have uneven sizes (plan::merged keeps those apart).
    split_sizes gathered{}, created{};
    if constexpr (std::has_single_bit(s.axes)) {
      constexpr std::size_t k = static_cast<std::size_t>(std::countr_zero(s.axes));
      constexpr auto consumed = plan::consumed_role(Plan, I, k);
      if constexpr (consumed != plan::sizes_role::none)
        gathered = consumed == plan::sizes_role::from ? sizes.from[k] : sizes.to[k];
      if constexpr (plan::created_role(Plan, I, k) != plan::sizes_role::none) created = sizes.to[k];
    }
    return run_plan<Steps, Mesh, Plan, Expert, I + 1>(
        r,
        Steps::template apply<s.kind, plan::axes_name<Mesh, s.axes>, placement_t<s.src.kind, s.src.dim>,
                              placement_t<s.dst.kind, s.dst.dim>, Expert>(r, std::forward<T>(x), gathered, created),
        sizes);
  }
}

/// The axes that `Splits` give sizes for, a bit per mesh axis.
template <class Mesh, class... Splits>
inline constexpr std::uint64_t split_axes = (std::uint64_t{0} | ... | (std::uint64_t{1} << Mesh::find(Splits::axis)));

/// Diagnoses split sizes that the plan `Plan` cannot use: an axis not in the mesh or named twice,
/// an axis no step gathers or splits along, or the wrong number of lists.
template <class Mesh, auto const& Plan, class Split, class... Splits>
consteval bool split_valid() {
  constexpr std::size_t k = Mesh::find(Split::axis);
  if constexpr (k >= Mesh::axis_count) {
    static_assert(k < Mesh::axis_count, "spmd: redistribute: split_on<axis> names an axis that is not in the mesh");
    return false;
  } else if constexpr (((Splits::axis == Split::axis ? 1 : 0) + ... + 0) != 1) {
    static_assert(((Splits::axis == Split::axis ? 1 : 0) + ... + 0) == 1,
                  "spmd: redistribute: split_on<axis> names the same mesh axis twice; give one split_on per axis "
                  "(split_on<axis>(from, to) when both layouts shard it)");
    return false;
  } else {
    constexpr bool from = plan::uses(Plan, k, plan::sizes_role::from);
    constexpr bool to = plan::uses(Plan, k, plan::sizes_role::to);
    constexpr std::size_t needed = (from ? 1 : 0) + (to ? 1 : 0);
    static_assert(needed != 0,
                  "spmd: redistribute: split_on<axis> gives split sizes for a mesh axis that no step gathers or "
                  "splits along (it is S<d> in neither layout, or its shard stays where it is); drop it");
    static_assert(needed == 0 || needed != 2 || Split::lists == 2,
                  "spmd: redistribute: this mesh axis is sharded in both layouts and both shards are moved: give "
                  "the extents of both, split_on<axis>(from, to) (the source's shards, then the destination's)");
    static_assert(needed == 0 || needed != 1 || Split::lists == 1,
                  "spmd: redistribute: only one of the layouts shards this mesh axis (or only one of its shards "
                  "moves): give one list, split_on<axis>(sizes)");
    return needed != 0 && Split::lists == needed;
  }
}

/// Each split's lists in the sides (from, to) of its axis that the plan uses.
template <class Mesh, auto const& Plan, class... Splits>
axis_sizes<Mesh::axis_count> sizes_by_axis(Splits const&... splits) {
  axis_sizes<Mesh::axis_count> out;
  [[maybe_unused]] auto place = [&out]<class Split>(Split const& sp) {
    constexpr std::size_t k = Mesh::find(Split::axis);
    if constexpr (Split::lists == 2) {
      out.from[k] = sp.sizes[0];
      out.to[k] = sp.sizes[1];
    } else if constexpr (plan::uses(Plan, k, plan::sizes_role::from)) {
      out.from[k] = sp.sizes[0];
    } else {
      out.to[k] = sp.sizes[0];
    }
  };
  (place(splits), ...);
  return out;
}

/// True if the collectives can run a plan on `Local` (else a diagnostic): one that cuts or joins
/// along a dim (`Slices`) needs row-major data.
template <class Local, bool Slices>
consteval bool local_fits_plan() {
  if constexpr (Slices)
    return sliceable_local<Local>();
  else
    return true;
}

/// redistribute of `x` (a tensor, or an autograd variable: `X` is its tensor type) to `Layout`,
/// with the split sizes `splits` (spmd::split_on) for the axes that have uneven shards.
template <class Steps, class Layout, bool Expert, class X, class Rank, class T, class... Splits>
auto redistribute(Rank& r, T&& x, Splits const&... splits) {
  using mesh = typename X::mesh_type;
  using from = typename X::layout_type;
  using to = resolve_layout_t<mesh, Layout>;
  if constexpr (!movable_local<typename X::local_type>()) {
    return std::remove_cvref_t<T>(std::forward<T>(x));  // after the diagnostic: no follow-up errors
  } else if constexpr (!plan::all_allowed<mesh, from, to, Expert>) {
    return std::remove_cvref_t<T>(std::forward<T>(x));
  } else if constexpr (!local_fits_plan<typename X::local_type, plan::slices(plan::steps_between<from, to>)>()) {
    return std::remove_cvref_t<T>(std::forward<T>(x));
  } else {
    static_assert(plan::reaches_destination<from, to>,
                  "spmd: redistribute found no plan for this change of layout (please report)");
    constexpr std::uint64_t separate = split_axes<mesh, Splits...>;
    if constexpr (!(split_valid<mesh, plan::steps_between<from, to, separate>, Splits, Splits...>() && ...))
      return std::remove_cvref_t<T>(std::forward<T>(x));
    else
      return run_plan<Steps, mesh, plan::steps_between<from, to, separate>, Expert, 0>(
          r, std::forward<T>(x), sizes_by_axis<mesh, plan::steps_between<from, to, separate>>(splits...));
  }
}

}  // namespace detail
}  // namespace comm

/// Split sizes for `redistribute` on mesh axis `Axis`, as a rank passes them to a collective on
/// that axis: the extents along the split dim of the ranks of its group, in group order.
/// `split_on<"tp">(sizes)` when only one layout shards `Axis` (the source's shards when they are
/// gathered, the destination's when they are created); `split_on<"tp">(from, to)` when both do
/// and both shards move (S<0> -> S<1>, or a shard gathered and split again because another axis
/// shards the same dim). The axis, the number of lists and their use are checked at compile time.
template <fixed_string Axis>
comm::axis_split<Axis, 1> split_on(split_sizes sizes) {
  return {{sizes}};
}
template <fixed_string Axis>
comm::axis_split<Axis, 2> split_on(split_sizes from, split_sizes to) {
  return {{from, to}};
}

/// `x` with layout `Layout` (positional or named, e.g. `layout<R, S<0>>` or
/// `layout<at<"tp", S<0>>, at<"dp", R>>`): on each mesh axis whose placement differs, the one
/// collective, convert or reinterpret of the placement table, planned at compile time (see the
/// header comment for the order). Splits are even unless split sizes are given for an axis with
/// spmd::split_on (`redistribute<L>(r, x, split_on<"tp">(sizes))`); the gathers and splits of such
/// an axis run one axis per step (not flattened with other axes). The changes that need
/// spmd::expert when called one by one need it here too: `redistribute<L>(r, x, spmd::expert)`.
// (clang-format 14 misreads a fold expression in a constraint)
// clang-format off
template <class Layout, typed_tensor T, rank_context Rank, class... Splits>
  requires(comm::is_axis_split<Splits> && ...)
auto redistribute(Rank& r, T&& x, Splits const&... splits) {
  // clang-format on
  return comm::detail::redistribute<comm::tensor_steps, Layout, false, std::remove_cvref_t<T>>(r, std::forward<T>(x),
                                                                                               splits...);
}
// (clang-format 14 misreads a fold expression in a constraint)
// clang-format off
template <class Layout, typed_tensor T, rank_context Rank, class... Splits>
  requires(comm::is_axis_split<Splits> && ...)
auto redistribute(Rank& r, T&& x, expert_t, Splits const&... splits) {
  // clang-format on
  return comm::detail::redistribute<comm::tensor_steps, Layout, true, std::remove_cvref_t<T>>(r, std::forward<T>(x),
                                                                                              splits...);
}

/// The steps `redistribute` takes from tensor layout `From` to layout `To` on `Mesh` (for
/// tests and for reading a plan): `redistribute_plan<Mesh, From, To>.count`, `.list[i].kind`,
/// `.list[i].axes` (a bit per mesh axis), `.list[i].src` and `.dst` (spmd::placement_value).
template <class Mesh, class From, class To>
inline constexpr auto redistribute_plan =
    comm::plan::steps_between<resolve_layout_t<Mesh, From>, resolve_layout_t<Mesh, To>>;

}  // namespace spmd
