// The one value encoding of a placement (core/placement.hpp) and the per-axis engine's value form
// (core/per_axis.hpp): every placement round-trips through placement_value, a layout through
// placement_values, and on_every_axis evaluates on every axis.
#include <cstddef>
#include <type_traits>

#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>

namespace {
using namespace spmd;

template <class... Ps>
constexpr bool round_trips =
    (std::is_same_v<placement_t<placement_value_of<Ps>.kind, placement_value_of<Ps>.dim>, Ps> && ...);
static_assert(round_trips<R, I, V, P, S<0>, S<1>, S<7>, ill_typed>);

static_assert(placement_value_of<S<2>> == placement_value{placement_kind::varying, 2});
static_assert(placement_value_of<V> != placement_value_of<S<0>>);
static_assert(placement_value_of<S<0>>.is_shard() && !placement_value_of<V>.is_shard());
static_assert(placement_value_of<R>.is_whole() && placement_value_of<I>.is_whole() &&
              !placement_value_of<P>.is_whole());

using L = layout<R, S<1>, P, V, I>;
static_assert(std::is_same_v<layout_of_values_t<placement_values<L>>, L>);

struct shards {
  static constexpr auto value = on_every_axis<3>([](std::size_t a) {
    return placement_value{placement_kind::varying, static_cast<int>(a)};
  });
};
static_assert(std::is_same_v<layout_of_values_t<shards::value>, layout<S<0>, S<1>, S<2>>>);
}  // namespace
