// spmd/comm/local_ops.hpp - the ops that never communicate, as types: convert (keeps the meaning,
// may change this rank's data), reinterpret (keeps the data, may change the meaning), and ops
// composed one after another. The user-facing functions (spmd/comm/convert.hpp) are thin wrappers
// around them.
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

/// convert: keeps the meaning, may change this rank's data, never communicates.
template <fixed_string Axes, placement Src, placement Dst>
struct convert_op {
  static_assert(rules::convert_allowed<axis_tag<Axes>, Src, Dst, true>());
  using source = Src;
  using destination = Dst;
  /// Between S<d> and V: an annotation, no rank's data moves (comm/detail/dispatch.hpp).
  static constexpr bool moves_blocks = !std::is_same_v<Src, V> && !std::is_same_v<Dst, V>;

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
  static constexpr bool moves_blocks = false;

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
