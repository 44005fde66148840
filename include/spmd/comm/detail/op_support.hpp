// spmd/comm/detail/op_support.hpp - what the op types of spmd/comm/collective_ops.hpp and
// spmd/comm/local_ops.hpp share: element counts, the notes they hand the runtime for its error
// messages, the agreement on an uneven split, and the apply/apply_into pattern of a collective
// whose result has its own shape.
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
  for (std::size_t k = 0; k < spmd::local_ndim<T>; ++k) n *= static_cast<std::size_t>(shape[k]);
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
template <std::size_t Ndim>
struct noted_shape {
  std::array<std::size_t, Ndim> extents{};
  std::size_t free_dim = shape_note::no_dim;
  [[nodiscard]] shape_note note() const noexcept {
    return shape_note{std::span<std::size_t const>(extents), free_dim, true};
  }
};
template <class Local>
noted_shape<spmd::local_ndim<Local>> noted_shape_of(Local const& t, std::size_t free_dim = shape_note::no_dim) {
  noted_shape<spmd::local_ndim<Local>> n;
  auto const& shape = t.shape();
  for (std::size_t k = 0; k < spmd::local_ndim<Local>; ++k) n.extents[k] = static_cast<std::size_t>(shape[k]);
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

}  // namespace comm
}  // namespace spmd
