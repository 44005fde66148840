// spmd/comm/arguments.hpp - what the typed collectives take besides the tensor: the `expert` tag,
// per-rank split sizes of uneven shards, and the local tensors they can move.
#pragma once

#include <concepts>
#include <cstddef>
#include <span>
#include <type_traits>
#include <utility>

#include <spmd/local/concept.hpp>

namespace spmd {

/// Tag that unlocks the converts and reinterprets that are almost never wanted in forward code
/// (see docs/collectives.md): `convert<"tp", R, I>(r, x, spmd::expert)`.
struct expert_t {
  explicit expert_t() = default;
};
inline constexpr expert_t expert{};

/// Per-rank extents along the split dim of an uneven S<d> (empty: an even split).
using split_sizes = std::span<std::size_t const>;

/// A local tensor the collectives can move: float or double elements, contiguous row-major data,
/// constructible from its shape.
template <class T>
concept buffer_tensor =
    local_tensor<T> && (std::same_as<typename T::value_type, float> || std::same_as<typename T::value_type, double>) &&
    std::constructible_from<T, std::remove_cvref_t<decltype(std::declval<T const&>().shape())>> &&
    requires(T& t) {
      { t.data() } -> std::same_as<typename T::value_type*>;
    };

}  // namespace spmd
