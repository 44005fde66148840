// spmd/comm/collective_ops.hpp - the typed collectives as types (all_reduce, reduce_scatter,
// all_gather, all_to_all): each knows its placements, its legality and its data movement over a
// communicator. Their backward (another op type) is in spmd/comm/backward.hpp; the user-facing
// functions (spmd/comm/collectives.hpp) are thin wrappers around them.
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
#include <spmd/comm/detail/op_support.hpp>
#include <spmd/core/fixed_string.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/transitions.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/tensor.hpp>

namespace spmd {

namespace comm {

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
    detail::with_notes([&](auto const&... n)
                           -> decltype(group.all_reduce_sum(data, n...)) { return group.all_reduce_sum(data, n...); },
                       shape.note());
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
      detail::with_notes(
          [&](auto const&... n) -> decltype(group.reduce_scatter_sum(all, mine, split_sizes(counts), n...)) {
            return group.reduce_scatter_sum(all, mine, split_sizes(counts), n...);
          },
          note, shape.note());
    };
    std::span<value_type const> const whole(in.data(), detail::element_count(in));
    if (a.outer <= 1) {
      scatter(whole);
    } else if constexpr (requires {
                           group.reduce_scatter_sum(whole, mine, split_sizes(counts), block_rows{}, note, shape.note());
                         }) {
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
    static_assert(static_cast<std::size_t>(dim < 0 ? 0 : dim) < spmd::local_ndim<Local>,
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
      detail::with_notes(
          [&](auto const&... n) -> decltype(group.all_gather(mine, all, split_sizes(counts), n...)) {
            return group.all_gather(mine, all, split_sizes(counts), n...);
          },
          note, shape.note());
    };
    std::span<value_type> const whole(out.data(), detail::element_count(out));
    if (a.outer <= 1) {
      gather(whole);
    } else if constexpr (requires {
                           group.all_gather(mine, whole, split_sizes(counts), block_rows{}, note, shape.note());
                         }) {
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
      auto const a_lens =
          detail::gather_lengths(src_sizes, in.shape()[a_dim], me, n, {"all_to_all", Axes.view(), a_dim});
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
        for (std::size_t k = 0; k < spmd::local_ndim<local_type>; ++k) c *= static_cast<std::size_t>(piece[k]);
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

}  // namespace comm
}  // namespace spmd
