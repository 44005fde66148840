// spmd/global/plan.hpp - the plan between two partition specs: which typed collectives, converts
// and reinterprets, over which axes, in which order. Constexpr code; no data, no runtime.
//
// A dim sharded on (a1, ..., ak) can only lose its minor-most axis ak directly: gathering ak
// gives back the blocks of (a1, ..., ak-1), gathering any other axis would interleave blocks. And
// an axis can only be appended as the new minor-most (a split, a reduce_scatter, or the
// destination of an all_to_all). So the planner
//   1. pops axes off each dim until its list is a prefix of the destination's: all_to_all when
//      the popped axis can go straight to the end of its destination dim, else all_gather;
//   2. all-reduces the pending sums that end whole;
//   3. appends each destination dim's missing axes, major first: reduce_scatter from P, convert
//      from R or I;
//   4. converts the whole axes whose placement changes (I -> P goes through R).
// Runs of gathers (minor first) or scatters (major first) over axes in mesh order are then
// flattened into one collective over the axes together (comm::plan::merged), when shards are even.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include <spmd/comm/redistribute.hpp>
#include <spmd/core/printed_names.hpp>
#include <spmd/global/propagate.hpp>
#include <spmd/global/spec.hpp>

namespace spmd::global {

/// One step of a global plan: a step of the local planner's kind (kind, axes, src, dst placements),
/// with the axes that precede the step's axis in the dim it gathers from (`from_prefix`) and in
/// the dim it appends to (`to_prefix`), major first: their blocks give the step's split sizes.
template <std::size_t N>
struct plan_step : comm::plan::step {
  std::array<int, N> from_prefix{};
  int from_count = 0;
  int from_dim = -1;
  std::array<int, N> to_prefix{};
  int to_count = 0;
  int to_dim = -1;
};

/// The steps of a global plan, in order.
template <std::size_t N>
struct plan_steps {
  std::array<plan_step<N>, 4 * N + 1> list{};
  std::size_t count = 0;
};

namespace detail {

template <std::size_t N>
struct plan_state {
  std::array<axis_entry, N> axes{};

  constexpr int length(int d) const { return static_cast<int>(dim_count(axes, d)); }
  /// The axis at `position` of dim `d`, or -1.
  constexpr int axis_at(int d, int position) const {
    std::size_t const k = detail::axis_at(axes, d, position);
    return k < N ? static_cast<int>(k) : -1;
  }
  constexpr placement_value value(std::size_t k) const { return entry_placement(axes[k]); }
};

/// Builds the plan from the per-axis entries `from` to `to` (canonical specs of one number of dims).
template <std::size_t N>
constexpr plan_steps<N> make_plan(std::array<axis_entry, N> const& from, std::array<axis_entry, N> const& to,
                                  int ndim) {
  plan_steps<N> out;
  plan_state<N> state{from};
  plan_state<N> const target{to};
  // True if dim d's axes are the first of the destination's.
  auto is_prefix = [&](int d) {
    int const n = state.length(d);
    if (n > target.length(d)) return false;
    for (int p = 0; p < n; ++p)
      if (state.axis_at(d, p) != target.axis_at(d, p)) return false;
    return true;
  };
  auto can_append = [&](int d, int k) { return is_prefix(d) && target.axis_at(d, state.length(d)) == k; };
  auto prefix_of = [&](plan_step<N>& s, int d, bool from_side) {
    int const n = state.length(d) - (from_side ? 1 : 0);
    for (int p = 0; p < n; ++p)
      (from_side ? s.from_prefix : s.to_prefix)[static_cast<std::size_t>(p)] = state.axis_at(d, p);
    (from_side ? s.from_count : s.to_count) = n;
    (from_side ? s.from_dim : s.to_dim) = d;
  };
  auto emit = [&](std::size_t k, placement_value dst) {
    int const dst_dim = dst.dim;
    plan_step<N> s{};
    s.axes = std::uint64_t{1} << k;
    s.src = state.value(k);
    s.dst = dst;
    s.kind = comm::plan::kind_for(s.src, s.dst);
    if (state.axes[k].dim >= 0) prefix_of(s, state.axes[k].dim, true);
    if (dst_dim >= 0) prefix_of(s, dst_dim, false);
    out.list[out.count++] = s;
    if (dst_dim >= 0)
      state.axes[k] = axis_entry{dst_dim, state.length(dst_dim), placement_kind::replicate, 1};
    else
      state.axes[k] = axis_entry{-1, -1, dst.kind, 1};
  };
  // 1. Pop axes off each dim, minor first, until the dim is a prefix of its destination.
  for (int d = 0; d < ndim; ++d) {
    while (!is_prefix(d)) {
      auto const k = static_cast<std::size_t>(state.axis_at(d, state.length(d) - 1));
      int const b = to[k].dim;
      if (b >= 0 && b != d && can_append(b, static_cast<int>(k)))
        emit(k, {placement_kind::varying, b});  // all_to_all
      else                                      // all_gather to I or R
        emit(k, {to[k].dim < 0 && to[k].whole == placement_kind::invariant ? placement_kind::invariant
                                                                           : placement_kind::replicate});
    }
  }
  // 2. Pending sums that end whole.
  for (std::size_t k = 0; k < N; ++k)
    if (state.axes[k].dim < 0 && state.axes[k].whole == placement_kind::partial && to[k].dim < 0 &&
        to[k].whole != placement_kind::partial)
      emit(k, {to[k].whole});
  // 3. Append each dim's missing axes, major first.
  for (int d = 0; d < ndim; ++d) {
    while (state.length(d) < target.length(d)) {
      int const k = target.axis_at(d, state.length(d));
      if (state.axes[static_cast<std::size_t>(k)].dim >= 0) break;  // (cannot happen after step 1)
      emit(static_cast<std::size_t>(k), {placement_kind::varying, d});
    }
  }
  // 4. Whole axes whose placement changes.
  for (std::size_t k = 0; k < N; ++k) {
    if (state.axes[k].dim >= 0 || to[k].dim >= 0 || state.axes[k].whole == to[k].whole) continue;
    if (state.axes[k].whole == placement_kind::invariant && to[k].whole == placement_kind::partial)
      emit(k, {placement_kind::replicate});  // I -> R, then R -> P
    emit(k, {to[k].whole});
  }
  return out;
}

template <std::size_t N>
constexpr bool plan_reaches(plan_steps<N> const& p, std::array<axis_entry, N> const& from,
                            std::array<axis_entry, N> const& to) {
  auto const placements = [](std::array<axis_entry, N> const& entries) {
    return on_every_axis<N>([&](std::size_t k) { return entry_placement(entries[k]); });
  };
  return comm::plan::reaches(p, placements(from), placements(to));
}

/// The per-axis entries of a global tensor type: its spec's dims, its layout's R, I and P.
template <class X>
struct type_entries {
  using mesh = typename X::mesh_type;
  static constexpr std::array<axis_entry, mesh::axis_count> value = [] {
    auto a = spec_entries<mesh, typename X::spec_type>::value;
    constexpr auto const& values = placement_values<typename X::layout_type>;
    for (std::size_t k = 0; k < mesh::axis_count; ++k)
      if (a[k].dim < 0) a[k].whole = values[k].kind;
    return a;
  }();
};
}  // namespace detail

/// The plan from global tensor type `From` to spec `To` (any spelling), as the planner makes it:
/// `even` flattens runs of gathers and scatters into one collective over several axes; `uneven`
/// (run when some sharded extent does not divide) keeps one axis per gather or scatter.
template <class Mesh, auto const& From, auto const& To, std::size_t Ndim>
struct plan {
  static constexpr plan_steps<Mesh::axis_count> unmerged = detail::make_plan(From, To, static_cast<int>(Ndim));
  static constexpr plan_steps<Mesh::axis_count> even = comm::plan::merged(unmerged);
  static constexpr plan_steps<Mesh::axis_count> uneven = comm::plan::merged(unmerged, ~std::uint64_t{0});
  static_assert(detail::plan_reaches(unmerged, From, To),
                "spmd: global: no plan for this redistribution (please report)");
  using mesh_type = Mesh;
};

/// The name of a step's operation: "all_gather", "reduce_scatter", ...
constexpr std::string_view step_name(comm::step_kind k) {
  switch (k) {
    case comm::step_kind::all_reduce:
      return "all_reduce";
    case comm::step_kind::reduce_scatter:
      return "reduce_scatter";
    case comm::step_kind::all_gather:
      return "all_gather";
    case comm::step_kind::all_to_all:
      return "all_to_all";
    case comm::step_kind::convert:
      return "convert";
    case comm::step_kind::reinterpret:
      return "reinterpret";
  }
  return "?";
}

/// The printed form of steps on `Mesh`: "all_gather(tp: S(0)->R); convert(dp: R->S(1))", or
/// "(no communication)" for an empty plan.
template <class Mesh, std::size_t N>
std::string plan_text(plan_steps<N> const& p) {
  std::string out;
  for (std::size_t i = 0; i < p.count; ++i) {
    auto const& s = p.list[i];
    if (i) out += "; ";
    out += step_name(s.kind);
    out += '(';
    bool first = true;
    for (std::size_t k = 0; k < N; ++k)
      if (s.axes >> k & 1u) {
        out += first ? "" : ",";
        out += Mesh::names[k];
        first = false;
      }
    out += ": " + placement_name(s.src) + "->" + placement_name(s.dst) + ")";
  }
  return p.count ? out : "(no steps)";
}

}  // namespace spmd::global
