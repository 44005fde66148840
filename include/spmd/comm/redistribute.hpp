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
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <spmd/comm/collectives.hpp>
#include <spmd/comm/convert.hpp>
#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/transitions.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/tensor.hpp>

namespace spmd {

namespace comm {

/// The kinds of step a redistribution is made of.
enum class step_kind { all_reduce, reduce_scatter, all_gather, all_to_all, convert, reinterpret };

namespace plan {

// A placement as a number, so that the planner is ordinary constexpr code:
// R = 0, I = 1, V = 2, P = 3, S<d> = 4 + d.
using code = int;
inline constexpr code r_code = 0, i_code = 1, v_code = 2, p_code = 3;

template <class Pl>
inline constexpr code code_of = [] {
  if constexpr (shard_placement<Pl>)
    return 4 + Pl::dim;
  else if constexpr (std::is_same_v<Pl, R>)
    return r_code;
  else if constexpr (std::is_same_v<Pl, I>)
    return i_code;
  else if constexpr (std::is_same_v<Pl, V>)
    return v_code;
  else
    return p_code;
}();

template <code C>
struct placement_of_impl {
  using type = S<C - 4>;
};
template <>
struct placement_of_impl<r_code> {
  using type = R;
};
template <>
struct placement_of_impl<i_code> {
  using type = I;
};
template <>
struct placement_of_impl<v_code> {
  using type = V;
};
template <>
struct placement_of_impl<p_code> {
  using type = P;
};
template <code C>
using placement_of = typename placement_of_impl<C>::type;

constexpr bool is_shard(code c) { return c >= 4; }
constexpr bool is_whole(code c) { return c == r_code || c == i_code; }

/// The operation that takes one axis from `src` to `dst` (src != dst), as in the placement table.
constexpr step_kind kind_for(code src, code dst) {
  if (src == p_code) return is_shard(dst) || dst == v_code ? step_kind::reduce_scatter : step_kind::all_reduce;
  if (is_shard(src)) {
    if (is_whole(dst)) return step_kind::all_gather;
    return is_shard(dst) ? step_kind::all_to_all : step_kind::convert;
  }
  if (src == v_code) return dst == p_code ? step_kind::reinterpret : step_kind::convert;
  return dst == v_code ? step_kind::reinterpret : step_kind::convert;  // R or I
}

struct step {
  step_kind kind{};
  std::uint64_t axes = 0;  // bit k: mesh axis k (several bits: one collective over them, flattened)
  code src = 0, dst = 0;
};

/// The steps from layout `from` to layout `to` (one code per mesh axis), in order.
template <std::size_t N>
struct steps {
  std::array<step, 3 * N> list{};
  std::size_t count = 0;
};

/// Where one step from `src` heads for `dst`: a shard or an I that must become P goes through R
/// (all_gather or convert, then convert(R, P)) instead of the expert-only direct converts.
constexpr code next_target(code src, code dst) {
  return dst == p_code && (is_shard(src) || src == i_code) ? r_code : dst;
}

template <std::size_t N>
constexpr steps<N> make(std::array<code, N> from, std::array<code, N> const& to) {
  steps<N> out;
  auto state = from;
  auto emit = [&](std::size_t k, code dst) {
    out.list[out.count++] = step{kind_for(state[k], dst), std::uint64_t{1} << k, state[k], dst};
    state[k] = dst;
  };
  // A later axis shards the dim `c` names: axis k may not gather, split or move that dim yet.
  auto later_shards = [&](std::size_t k, code c) {
    if (!is_shard(c)) return false;
    for (std::size_t m = k + 1; m < N; ++m)
      if (state[m] == c) return true;
    return false;
  };
  auto gathers = [&](std::size_t k) {  // all_reduce or all_gather
    return is_whole(next_target(state[k], to[k])) && (state[k] == p_code || is_shard(state[k]));
  };
  auto splits = [&](std::size_t k) {  // convert R|I -> S<d> or reduce_scatter P -> S<d>
    return is_shard(to[k]) && !is_shard(state[k]) && state[k] != v_code;
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
      if (later_shards(k, state[k]) || (is_shard(state[k]) && later_shards(k, to[k]))) continue;
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
        if (!is_shard(state[m])) continue;
        bool blocks = false;
        for (std::size_t k = 0; k < m; ++k)
          blocks = blocks || (state[k] != to[k] && (state[k] == state[m] || to[k] == state[m]));
        if (blocks) {
          emit(m, to[m] == i_code ? i_code : r_code);
          break;
        }
      }
    }
  }
}

/// `p` with runs of the same collective merged into one over the flattened axes (ranks row-major in
/// mesh order): all_reduce steps with the same source and destination; all_gather steps with the
/// same source and destination taken innermost first; reduce_scatter steps outermost first. Each
/// equals the run it replaces.
template <std::size_t N>
constexpr steps<N> merged(steps<N> const& p) {
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
  steps<N> out;
  for (std::size_t i = 0; i < p.count; ++i) {
    step const s = p.list[i];
    if (out.count > 0) {
      step& last = out.list[out.count - 1];
      bool const same = last.kind == s.kind && last.src == s.src && last.dst == s.dst;
      bool const joins = (s.kind == step_kind::all_reduce) ||
                         (s.kind == step_kind::all_gather && highest(s.axes) < lowest(last.axes)) ||
                         (s.kind == step_kind::reduce_scatter && lowest(s.axes) > highest(last.axes));
      if (same && joins) {
        last.axes |= s.axes;
        continue;
      }
    }
    out.list[out.count++] = s;
  }
  return out;
}

/// True if `p`, applied to `from`, gives `to`.
template <std::size_t N>
constexpr bool reaches(steps<N> const& p, std::array<code, N> from, std::array<code, N> const& to) {
  for (std::size_t i = 0; i < p.count; ++i)
    for (std::size_t k = 0; k < N; ++k)
      if (p.list[i].axes >> k & 1u) from[k] = p.list[i].dst;
  return from == to;
}

template <class Layout>
struct codes_of;
template <class... Ps>
struct codes_of<layout<Ps...>> {
  static constexpr std::array<code, sizeof...(Ps)> value{code_of<Ps>...};
};

/// The plan from tensor layout `From` to `To` (both positional).
template <class From, class To>
inline constexpr auto of = merged(make(codes_of<From>::value, codes_of<To>::value));
template <class From, class To>
inline constexpr bool found = reaches(of<From, To>, codes_of<From>::value, codes_of<To>::value);

/// Diagnoses a change of one axis that redistribute cannot make (with the message of the
/// operation it would be, or why none is), so that the error names the axis and both placements.
template <class Axis, placement Src, placement Dst, bool Expert>
consteval bool step_allowed() {
  constexpr code src = code_of<Src>, dst = code_of<Dst>;
  if constexpr (src == dst) {
    return true;
  } else if constexpr (src == v_code && is_whole(dst)) {
    static_assert(rules::detail::always_false<Axis, Src, Dst>,
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

template <class Mesh, class From, class To, bool Expert, class Indices>
struct all_allowed_impl;
template <class Mesh, class... Fs, class... Ts, bool Expert, std::size_t... Is>
struct all_allowed_impl<Mesh, layout<Fs...>, layout<Ts...>, Expert, std::index_sequence<Is...>> {
  // Stops at the first axis that fails: one mistake, one diagnostic.
  static constexpr bool value = (step_allowed<axis_tag<Mesh::template name<Is>>, Fs, Ts, Expert>() && ...);
};
template <class Mesh, class From, class To, bool Expert>
inline constexpr bool all_allowed =
    all_allowed_impl<Mesh, From, To, Expert, std::make_index_sequence<Mesh::rank>>::value;

template <std::size_t N>
struct char_array {
  char data[N]{};
};

template <class Mesh, std::uint64_t Axes>
struct axes_name_impl {
  static constexpr std::size_t length = [] {
    std::size_t n = 0;
    for (std::size_t k = 0; k < Mesh::rank; ++k)
      if (Axes >> k & 1u) n += Mesh::names[k].size() + 1;
    return n;  // one ',' per name but the last, plus the NUL
  }();
  static constexpr char_array<length> text = [] {
    char_array<length> t;
    std::size_t at = 0;
    for (std::size_t k = 0; k < Mesh::rank; ++k) {
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

/// How each kind of step runs on plain tensors (autograd has its own, for variables).
struct tensor_steps {
  template <step_kind K, fixed_string Axis, placement Src, placement Dst, bool Expert, class Rank, class T>
  static auto apply(Rank& r, T&& x) {
    if constexpr (K == step_kind::all_reduce)
      return spmd::all_reduce<Axis, Src, Dst>(r, std::forward<T>(x));
    else if constexpr (K == step_kind::reduce_scatter)
      return spmd::reduce_scatter<Axis, Src, Dst>(r, std::forward<T>(x));
    else if constexpr (K == step_kind::all_gather)
      return spmd::all_gather<Axis, Src, Dst>(r, std::forward<T>(x));
    else if constexpr (K == step_kind::all_to_all)
      return spmd::all_to_all<Axis, Src, Dst>(r, std::forward<T>(x));
    else if constexpr (K == step_kind::convert && Expert)
      return spmd::convert<Axis, Src, Dst>(r, std::forward<T>(x), expert);
    else if constexpr (K == step_kind::convert)
      return spmd::convert<Axis, Src, Dst>(r, std::forward<T>(x));
    else if constexpr (Expert)
      return spmd::reinterpret<Axis, Src, Dst>(std::forward<T>(x), expert);
    else
      return spmd::reinterpret<Axis, Src, Dst>(std::forward<T>(x));
  }
};

namespace detail {

/// Runs steps I, I + 1, ... of `Plan` with `Steps`.
template <class Steps, class Mesh, auto const& Plan, bool Expert, std::size_t I, class Rank, class T>
auto run_plan(Rank& r, T&& x) {
  if constexpr (I == Plan.count) {
    return std::remove_cvref_t<T>(std::forward<T>(x));
  } else {
    constexpr plan::step s = Plan.list[I];
    return run_plan<Steps, Mesh, Plan, Expert, I + 1>(
        r, Steps::template apply<s.kind, plan::axes_name<Mesh, s.axes>, plan::placement_of<s.src>,
                                 plan::placement_of<s.dst>, Expert>(r, std::forward<T>(x)));
  }
}

/// redistribute of `x` (a tensor, or an autograd variable: `X` is its tensor type) to `Layout`.
template <class Steps, class Layout, bool Expert, class X, class Rank, class T>
auto redistribute(Rank& r, T&& x) {
  using mesh = typename X::mesh_type;
  using from = typename X::layout_type;
  using to = resolve_layout_t<mesh, Layout>;
  if constexpr (!plan::all_allowed<mesh, from, to, Expert>) {
    return std::remove_cvref_t<T>(std::forward<T>(x));  // after the diagnostic: no follow-up errors
  } else {
    static_assert(plan::found<from, to>, "spmd: redistribute found no plan for this change of layout (please report)");
    return run_plan<Steps, mesh, plan::of<from, to>, Expert, 0>(r, std::forward<T>(x));
  }
}

}  // namespace detail
}  // namespace comm

/// `x` with layout `Layout` (positional or named, e.g. `layout<R, S<0>>` or
/// `layout<at<"tp", S<0>>, at<"dp", R>>`): on each mesh axis whose placement differs, the one
/// collective, convert or reinterpret of the placement table, planned at compile time (see the
/// header comment for the order). Splits must be even. The changes that need spmd::expert when
/// called one by one need it here too: `redistribute<L>(r, x, spmd::expert)`.
template <class Layout, typed_tensor T, rank_context Rank>
auto redistribute(Rank& r, T&& x) {
  return comm::detail::redistribute<comm::tensor_steps, Layout, false, std::remove_cvref_t<T>>(r, std::forward<T>(x));
}
template <class Layout, typed_tensor T, rank_context Rank>
auto redistribute(Rank& r, T&& x, expert_t) {
  return comm::detail::redistribute<comm::tensor_steps, Layout, true, std::remove_cvref_t<T>>(r, std::forward<T>(x));
}

/// The steps `redistribute` takes from tensor layout `From` to layout `To` on `Mesh` (for
/// tests and for reading a plan): `redistribute_plan<Mesh, From, To>.count`, `.list[i].kind`,
/// `.list[i].axes` (a bit per mesh axis), `.list[i].src` and `.dst` (placement codes).
template <class Mesh, class From, class To>
inline constexpr auto redistribute_plan = comm::plan::of<resolve_layout_t<Mesh, From>, resolve_layout_t<Mesh, To>>;

}  // namespace spmd
