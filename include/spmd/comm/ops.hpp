// spmd/comm/ops.hpp - the typed collectives, converts and reinterprets as types: each knows its
// placements, its legality and its data movement. Their backward (another op type) is in
// spmd/comm/backward.hpp.
//
// The user-facing functions (spmd/comm/collectives.hpp, spmd/comm/convert.hpp) are thin wrappers
// around these.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <spmd/comm/arguments.hpp>
#include <spmd/comm/axes.hpp>
#include <spmd/comm/detail/chunks.hpp>
#include <spmd/comm/detail/local_checks.hpp>
#include <spmd/core/fixed_string.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/transitions.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/tensor.hpp>

namespace spmd {

namespace comm {

namespace detail {
template <class T>
using local_t = typename std::remove_cvref_t<T>::local_type;
template <class T>
using shape_t = std::remove_cvref_t<decltype(std::declval<local_t<T> const&>().shape())>;

/// The number of elements of a local tensor: the product of its extents (data() holds them).
template <class T>
std::size_t element_count(T const& local) {
  auto const& shape = local.shape();
  std::size_t n = 1;
  for (std::size_t k = 0; k < T::rank; ++k) n *= static_cast<std::size_t>(shape[k]);
  return n;
}

/// Where chunk `i` starts along the split dim (the sum of the extents before it); i = lens.size()
/// gives the whole extent.
inline std::size_t offset_of(size_list const& lens, std::size_t i) {
  std::size_t off = 0;
  for (std::size_t j = 0; j < i; ++j) off += lens[j];
  return off;
}

/// The note that tells the runtime what the counts of a split of dim `d` (seen as `a`) count: the
/// extents along d (given as split sizes, or not), so that a disagreement is reported in them.
inline split_note note_for(around_dim a, std::size_t d, split_sizes given) {
  return split_note{d, a.outer * a.inner, !given.empty()};
}

/// A local tensor's shape for the runtime's agreement check, owning its extents for the duration
/// of a call: `free_dim` is the dim along which the ranks may hold different extents.
template <std::size_t Rank>
struct noted_shape {
  std::array<std::size_t, Rank> extents{};
  std::size_t free_dim = shape_note::no_dim;
  [[nodiscard]] shape_note note() const noexcept {
    return shape_note{std::span<std::size_t const>(extents), free_dim, true};
  }
};
template <class Local>
noted_shape<Local::rank> noted_shape_of(Local const& t, std::size_t free_dim = shape_note::no_dim) {
  noted_shape<Local::rank> n;
  auto const& shape = t.shape();
  for (std::size_t k = 0; k < Local::rank; ++k) n.extents[k] = static_cast<std::size_t>(shape[k]);
  n.free_dim = free_dim;
  return n;
}

/// `call(notes...)` if the communicator takes the notes (`call` is SFINAE-friendly), else
/// `call()`: a communicator of one's own need not take them.
template <class Call, class... Notes>
void with_notes(Call const& call, Notes const&... notes) {
  if constexpr (std::is_invocable_v<Call const&, Notes const&...>)
    call(notes...);
  else
    call();
}

/// A convert that cuts (or places) this rank's piece of an uneven split by itself: ranks that
/// disagree about the split sizes would drop or repeat rows without any error, so the
/// communicator (if it can) checks that they agree. Even splits (no sizes) follow from each rank's
/// own extent and need no check.
template <class Comm>
void agree_on_split(Comm& group, size_list const& lens, std::size_t dim, split_sizes given) {
  if constexpr (requires { group.agree_split(split_sizes(lens), split_note{}); }) {
    if (!given.empty()) group.agree_split(split_sizes(lens), split_note{dim, 1, true});
  }
}

template <class Out, class T>
Out same_data(T&& x) {
  return Out{std::forward<T>(x).local()};
}

template <class Placement, int Dim>
inline constexpr int dim_of = [] {
  if constexpr (shard_placement<Placement>)
    return Placement::dim;
  else
    return Dim;
}();

/// apply (into a new tensor) and apply_into (into the caller's, no allocation when the chunks are
/// contiguous) of a collective whose result has its own shape. `Op` provides, as static members,
/// `into_name`, `lengths(group, in, sizes)` (per-rank extents along the split dim),
/// `result_shape(group, in, sizes, lens)` and `run(group, in, out, sizes, lens)`. The local tensor
/// type is checked first (the public calls have checked it already, a backward has not).
template <class Op, fixed_string Axes, class Dst>
struct writes_result {
  template <class Rank, typed_tensor T>
  static auto apply(Rank& r, T&& x, split_sizes sizes = {}) {
    if constexpr (!sliceable_local<local_t<T>>())
      return with_placement_t<std::remove_cvref_t<T>, Axes, Dst>{};  // after the diagnostic
    else
      return write(r, std::forward<T>(x), sizes);
  }

  /// Into `out`, a tensor of the result's type whose shape must be the result's.
  template <class Rank, typed_tensor T, typed_tensor Out>
  static void apply_into(Rank& r, T const& x, Out& out, split_sizes sizes = {}) {
    if constexpr (sliceable_local<local_t<T>>()) {
      auto& group = typed_group_of<typename T::mesh_type, Axes>(r);
      auto const& in = x.local();
      auto const lens = Op::lengths(group, in, sizes);
      check_out_shape(out.local().shape(), Op::result_shape(group, in, sizes, lens), Op::into_name, Axes.view());
      Op::run(group, in, out.local(), sizes, lens);
    }
  }

 private:
  template <class Rank, class T>
  static auto write(Rank& r, T&& x, split_sizes sizes) {
    auto& group = typed_group_of<typename std::remove_cvref_t<T>::mesh_type, Axes>(r);
    auto const& in = x.local();
    auto const lens = Op::lengths(group, in, sizes);
    local_t<T> out(Op::result_shape(group, in, sizes, lens));
    Op::run(group, in, out, sizes, lens);
    return with_placement_t<std::remove_cvref_t<T>, Axes, Dst>{std::move(out)};
  }
};
}  // namespace detail

/// P (or V) -> R or I on the axes `Axes`: every rank gets the sum.
template <fixed_string Axes, placement Src, placement Dst>
struct all_reduce_op {
  static_assert(rules::all_reduce_allowed<axis_tag<Axes>, Src, Dst>());
  using source = Src;
  using destination = Dst;

  template <class Rank, typed_tensor T>
  static auto apply(Rank& r, T&& x, split_sizes = {}) {
    if constexpr (!detail::movable_local<detail::local_t<T>>())
      return with_placement_t<std::remove_cvref_t<T>, Axes, Dst>{};  // after the diagnostic
    else
      return sum(r, std::forward<T>(x));
  }

 private:
  template <class Rank, class T>
  static auto sum(Rank& r, T&& x) {
    using out_t = with_placement_t<std::remove_cvref_t<T>, Axes, Dst>;
    auto local = std::forward<T>(x).local();
    std::span const data(local.data(), detail::element_count(local));
    auto const shape = detail::noted_shape_of(local);
    auto& group = typed_group_of<typename out_t::mesh_type, Axes>(r);
    detail::with_notes([&](auto const&... n) -> decltype(group.all_reduce_sum(data, n...)) {
      return group.all_reduce_sum(data, n...);
    }, shape.note());
    return out_t{std::move(local)};
  }
};

/// P (or V) -> S<d> on the axes `Axes`: rank i gets chunk i (along d) of the sum.
template <fixed_string Axes, placement Src, placement Dst>
struct reduce_scatter_op : detail::writes_result<reduce_scatter_op<Axes, Src, Dst>, Axes, Dst> {
  static_assert(rules::reduce_scatter_allowed<axis_tag<Axes>, Src, Dst>());
  using source = Src;
  using destination = Dst;

  // The pieces detail::writes_result puts together.
  static constexpr char const* into_name = "reduce_scatter_into";

  template <class Comm, class Local>
  static detail::size_list lengths(Comm& group, Local const& in, split_sizes sizes) {
    return detail::split_lengths(sizes, in.shape()[Dst::dim], group.size(), {"reduce_scatter", Axes.view(), Dst::dim});
  }

  template <class Comm, class Local>
  static auto result_shape(Comm& group, Local const& in, split_sizes, detail::size_list const& lens) {
    auto shape = in.shape();
    shape[Dst::dim] = lens[group.rank()];
    return shape;
  }

  template <class Comm, class Local>
  static void run(Comm& group, Local const& in, Local& out, split_sizes sizes, detail::size_list const& lens) {
    using value_type = typename Local::value_type;
    auto const a = detail::split_shape(in.shape(), Dst::dim);
    auto const counts = detail::chunk_counts(a, sizes, lens);
    std::span<value_type> const mine(out.data(), counts[group.rank()]);
    auto const note = detail::note_for(a, Dst::dim, sizes);
    auto const shape = detail::noted_shape_of(in);
    auto const scatter = [&](std::span<value_type const> all) {
      detail::with_notes([&](auto const&... n) -> decltype(group.reduce_scatter_sum(all, mine, split_sizes(counts),
                                                                                   n...)) {
        return group.reduce_scatter_sum(all, mine, split_sizes(counts), n...);
      }, note, shape.note());
    };
    std::span<value_type const> const whole(in.data(), detail::element_count(in));
    if (a.outer <= 1) {
      scatter(whole);
    } else if constexpr (requires { group.reduce_scatter_sum(whole, mine, split_sizes(counts), block_rows{}, note,
                                                             shape.note()); }) {
      // The runtime reads the blocks in rows where they are: no packed copy.
      group.reduce_scatter_sum(whole, mine, split_sizes(counts), block_rows{a.outer}, note, shape.note());
    } else {
      std::vector<value_type> packed(detail::element_count(in));
      detail::pack_chunks(in.data(), a, lens, packed.data());
      scatter(packed);
    }
  }
};

/// V/S<d> -> R or I on the axes `Axes`: every rank gets the concatenation along d (for a plain V,
/// d is `Dim`).
template <fixed_string Axes, placement Src, placement Dst, int Dim = -1>
struct all_gather_op : detail::writes_result<all_gather_op<Axes, Src, Dst, Dim>, Axes, Dst> {
  static_assert(rules::all_gather_allowed<axis_tag<Axes>, Src, Dst>());
  static_assert(shard_placement<Src> || Dim >= 0,
                "spmd: all_gather of a plain V needs the dim to concatenate along: all_gather<axis, R, d>");
  static constexpr int dim = detail::dim_of<Src, Dim>;
  using source = Src;
  using destination = Dst;

  // The pieces detail::writes_result puts together.
  static constexpr char const* into_name = "all_gather_into";

  template <class Comm, class Local>
  static detail::size_list lengths(Comm& group, Local const& in, split_sizes sizes) {
    static_assert(static_cast<std::size_t>(dim < 0 ? 0 : dim) < Local::rank,
                  "spmd: all_gather: the gather dim must be a dim of the tensor");
    return detail::gather_lengths(sizes, in.shape()[dim], group.rank(), group.size(), {"all_gather", Axes.view(), dim});
  }

  template <class Comm, class Local>
  static auto result_shape(Comm& group, Local const& in, split_sizes sizes, detail::size_list const&) {
    auto shape = in.shape();
    shape[dim] = detail::total_extent(sizes, shape[dim], group.size());
    return shape;
  }

  template <class Comm, class Local>
  static void run(Comm& group, Local const& in, Local& out, split_sizes sizes, detail::size_list const& lens) {
    using value_type = typename Local::value_type;
    auto const a = detail::split_shape(out.shape(), dim);
    auto const counts = detail::chunk_counts(a, sizes, lens);
    std::span<value_type const> const mine(in.data(), detail::element_count(in));
    auto const note = detail::note_for(a, dim, sizes);
    auto const shape = detail::noted_shape_of(in, dim);
    auto const gather = [&](std::span<value_type> all) {
      detail::with_notes([&](auto const&... n) -> decltype(group.all_gather(mine, all, split_sizes(counts), n...)) {
        return group.all_gather(mine, all, split_sizes(counts), n...);
      }, note, shape.note());
    };
    std::span<value_type> const whole(out.data(), detail::element_count(out));
    if (a.outer <= 1) {
      gather(whole);
    } else if constexpr (requires { group.all_gather(mine, whole, split_sizes(counts), block_rows{}, note,
                                                     shape.note()); }) {
      // The runtime writes the blocks in rows where they belong: no packed copy.
      group.all_gather(mine, whole, split_sizes(counts), block_rows{a.outer}, note, shape.note());
    } else {
      std::vector<value_type> packed(detail::element_count(out));
      gather(packed);
      detail::unpack_chunks(packed.data(), a, lens, out.data());
    }
  }
};

/// S<a> -> S<b> on the axes `Axes`: the shard moves from dim a to dim b.
template <fixed_string Axes, placement Src, placement Dst>
struct all_to_all_op {
  static_assert(rules::all_to_all_allowed<axis_tag<Axes>, Src, Dst>());
  using source = Src;
  using destination = Dst;

  /// `src_sizes`: every rank's extent along a (default: all equal); `dst_sizes`: the split of b.
  template <class Rank, typed_tensor T>
  static auto apply(Rank& r, T&& x, split_sizes src_sizes = {}, split_sizes dst_sizes = {}) {
    if constexpr (!detail::sliceable_local<detail::local_t<T>>())
      return with_placement_t<std::remove_cvref_t<T>, Axes, Dst>{};  // after the diagnostic
    else
      return move_shard(r, std::forward<T>(x), src_sizes, dst_sizes);
  }

 private:
  template <class Rank, class T>
  static auto move_shard(Rank& r, T&& x, split_sizes src_sizes, split_sizes dst_sizes) {
    using out_t = with_placement_t<std::remove_cvref_t<T>, Axes, Dst>;
    using local_type = detail::local_t<T>;
    using value_type = typename local_type::value_type;
    constexpr std::size_t a_dim = Src::dim, b_dim = Dst::dim;
    auto& group = typed_group_of<typename out_t::mesh_type, Axes>(r);
    std::size_t const n = group.size(), me = group.rank();
    auto const& in = x.local();
    if constexpr (a_dim == b_dim) {
      return out_t{std::forward<T>(x).local()};
    } else {
      auto const a_lens = detail::gather_lengths(src_sizes, in.shape()[a_dim], me, n, {"all_to_all", Axes.view(), a_dim});
      auto const b_lens = detail::split_lengths(dst_sizes, in.shape()[b_dim], n, {"all_to_all", Axes.view(), b_dim});
      // Send: my tensor split along b, chunk j to rank j.
      auto const send_shape = detail::split_shape(in.shape(), b_dim);
      std::vector<value_type> send(detail::element_count(in));
      detail::pack_chunks(in.data(), send_shape, b_lens, send.data());
      auto const send_counts = detail::chunk_counts(send_shape, b_lens);
      // Receive: from rank i, its a-piece restricted to my b-chunk; join them along a.
      auto out_shape = in.shape();
      out_shape[b_dim] = b_lens[me];
      std::size_t total_a = 0;
      for (auto l : a_lens) total_a += l;
      out_shape[a_dim] = total_a;
      detail::size_list recv_counts(n);
      std::size_t recv_total = 0;
      for (std::size_t i = 0; i < n; ++i) {
        auto piece = out_shape;
        piece[a_dim] = a_lens[i];
        std::size_t c = 1;
        for (std::size_t k = 0; k < local_type::rank; ++k) c *= static_cast<std::size_t>(piece[k]);
        recv_counts[i] = c;
        recv_total += c;
      }
      std::vector<value_type> recv(recv_total);
      auto const recv_shape = detail::split_shape(out_shape, a_dim);
      std::span<value_type const> const send_span(send);
      std::span<value_type> const recv_span(recv);
      detail::with_notes(
          [&](auto const&... n) -> decltype(group.all_to_all(send_span, split_sizes(send_counts), recv_span,
                                                             split_sizes(recv_counts), n...)) {
            return group.all_to_all(send_span, split_sizes(send_counts), recv_span, split_sizes(recv_counts), n...);
          },
          detail::note_for(send_shape, b_dim, dst_sizes), detail::note_for(recv_shape, a_dim, src_sizes),
          detail::noted_shape_of(in, a_dim).note());
      local_type out(out_shape);
      detail::unpack_chunks(recv.data(), recv_shape, a_lens, out.data());
      return out_t{std::move(out)};
    }
  }
};

/// convert: keeps the meaning, may change this rank's data, never communicates.
template <fixed_string Axes, placement Src, placement Dst>
struct convert_op {
  static_assert(rules::convert_allowed<axis_tag<Axes>, Src, Dst, true>());
  using source = Src;
  using destination = Dst;

  template <class Rank, typed_tensor T>
  static auto apply(Rank& r, T&& x, split_sizes sizes = {}) {
    if constexpr (!detail::convertible_local<detail::local_t<T>, Src, Dst>())
      return with_placement_t<std::remove_cvref_t<T>, Axes, Dst>{};  // after the diagnostic
    else
      return change(r, std::forward<T>(x), sizes);
  }

 private:
  template <class Rank, class T>
  static auto change(Rank& r, T&& x, split_sizes sizes) {
    using out_t = with_placement_t<std::remove_cvref_t<T>, Axes, Dst>;
    using local_type = detail::local_t<T>;
    constexpr bool whole_src = of_kind<Src, placement_kind::replicate, placement_kind::invariant>;
    if constexpr (whole_src && shard_placement<Dst>) {
      // Keep this rank's chunk along d.
      auto& group = typed_group_of<typename out_t::mesh_type, Axes>(r);
      auto const& in = x.local();
      auto const a = detail::split_shape(in.shape(), Dst::dim);
      auto const lens = detail::split_lengths(sizes, a.extent, group.size(), {"convert", Axes.view(), Dst::dim});
      detail::agree_on_split(group, lens, Dst::dim, sizes);
      auto shape = in.shape();
      shape[Dst::dim] = lens[group.rank()];
      local_type out(shape);
      detail::copy_chunk_out(in.data(), a, detail::offset_of(lens, group.rank()), lens[group.rank()], out.data());
      return out_t{std::move(out)};
    } else if constexpr (shard_placement<Src> && std::is_same_v<Dst, P>) {
      // Place this rank's chunk in zeros of the whole extent: the sum over ranks is the whole.
      auto& group = typed_group_of<typename out_t::mesh_type, Axes>(r);
      auto const& in = x.local();
      auto const lens = detail::gather_lengths(sizes, in.shape()[Src::dim], group.rank(), group.size(),
                                               {"convert", Axes.view(), Src::dim});
      detail::agree_on_split(group, lens, Src::dim, sizes);
      auto shape = in.shape();
      shape[Src::dim] = detail::offset_of(lens, lens.size());
      local_type out(shape);
      std::fill_n(out.data(), detail::element_count(out), typename local_type::value_type{});
      detail::copy_chunk_in(in.data(), detail::split_shape(shape, Src::dim), detail::offset_of(lens, group.rank()),
                            lens[group.rank()], out.data());
      return out_t{std::move(out)};
    } else if constexpr (whole_src && std::is_same_v<Dst, P>) {
      // Rank 0 keeps the value, the others hold zeros: the sum is the value.
      auto local = std::forward<T>(x).local();
      if (typed_group_of<typename out_t::mesh_type, Axes>(r).rank() != 0)
        std::fill_n(local.data(), detail::element_count(local), typename local_type::value_type{});
      return out_t{std::move(local)};
    } else {
      // R <-> I, V <-> S<d>: the data stays as it is.
      return detail::same_data<out_t>(std::forward<T>(x));
    }
  }
};

/// reinterpret: keeps this rank's data, may change the meaning, never communicates.
template <fixed_string Axes, placement Src, placement Dst>
struct reinterpret_op {
  static_assert(rules::reinterpret_allowed<axis_tag<Axes>, Src, Dst, true>());
  using source = Src;
  using destination = Dst;

  template <class Rank, typed_tensor T>
  static auto apply(Rank&, T&& x, split_sizes = {}) {
    return detail::same_data<with_placement_t<std::remove_cvref_t<T>, Axes, Dst>>(std::forward<T>(x));
  }
};

/// Ops applied one after another (the backward of a V-source reduction is such a sequence).
template <class... Ops>
struct composed_op {
  template <class Rank, typed_tensor T>
  static auto apply(Rank& r, T&& x, split_sizes sizes = {}) {
    return apply_from<Ops...>(r, std::forward<T>(x), sizes);
  }

 private:
  template <class First, class... Rest, class Rank, class T>
  static auto apply_from(Rank& r, T&& x, split_sizes sizes) {
    if constexpr (sizeof...(Rest) == 0)
      return First::apply(r, std::forward<T>(x), sizes);
    else
      return apply_from<Rest...>(r, First::apply(r, std::forward<T>(x), sizes), sizes);
  }
};

}  // namespace comm
}  // namespace spmd
