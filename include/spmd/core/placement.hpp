// spmd/core/placement.hpp - the local SPMD types of a tensor on one mesh axis.
#pragma once

#include <concepts>
#include <cstddef>
#include <tuple>
#include <type_traits>

namespace spmd {

/// What a tensor is on one mesh axis, for the typing rules (S<d> is a V; `ill_typed` marks the
/// result of a rejected op).
enum class placement_kind { replicate, invariant, varying, partial, ill_typed };  // (placement_t follows this order)

/// R, replicate: the same value on every rank; each rank may use it differently. Gradient: P.
struct R {
  static constexpr placement_kind kind = placement_kind::replicate;
};
/// I, invariant: the same value on every rank, and every rank does the same work with it. Gradient: I.
struct I {
  static constexpr placement_kind kind = placement_kind::invariant;
};
/// V, varying: a different value on every rank (a list of per-rank tensors). Gradient: V.
struct V {
  static constexpr placement_kind kind = placement_kind::varying;
};
/// P, partial: a pending sum; the tensor's meaning is the sum over the ranks of the axis. Gradient: R.
struct P {
  static constexpr placement_kind kind = placement_kind::partial;
};
/// S<d>, shard: a V whose per-rank pieces concatenate along tensor dim d. Gradient: S<d>.
template <int Dim>
struct S {
  static_assert(Dim >= 0, "spmd: S<d> needs a tensor dim d >= 0");
  static constexpr placement_kind kind = placement_kind::varying;
  static constexpr int dim = Dim;
};

/// The placement of a result on an axis where its op was rejected (the compiler has already
/// printed why). Every rule accepts it silently, so that one mistake gives one error and not one
/// more at every later use of the result. Programs never name it.
struct ill_typed {
  static constexpr placement_kind kind = placement_kind::ill_typed;
};

namespace detail {
template <class T>
inline constexpr bool is_shard = false;
template <int D>
inline constexpr bool is_shard<S<D>> = true;
}  // namespace detail

/// True for R, I, V, P and S<d> (and the internal `ill_typed`).
template <class T>
concept placement = std::same_as<T, R> || std::same_as<T, I> || std::same_as<T, V> || std::same_as<T, P> ||
    detail::is_shard<T> || std::same_as<T, ill_typed>;

/// True for the placement of a rejected op's result (see `ill_typed`).
template <class T>
concept ill_typed_placement = std::same_as<T, ill_typed>;

/// True for S<d>.
template <class T>
concept shard_placement = detail::is_shard<T>;

/// The rule kind of a placement: S<d> counts as varying.
template <placement T>
inline constexpr placement_kind kind_of = T::kind;

/// True if placement `T` is of one of the kinds `Ks`, e.g. `of_kind<T, placement_kind::replicate,
/// placement_kind::invariant>` for a whole value (S<d> counts as varying).
template <placement T, placement_kind... Ks>
inline constexpr bool of_kind = ((T::kind == Ks) || ...);

/// A placement as a value, for the constexpr code that computes with placements (the rules, the
/// redistribute planners): its kind, and for S<d> the dim d (-1 for every other placement). This is
/// the one value encoding of a placement; `placement_value_of<T>` and `placement_t<Kind, Dim>`
/// convert between it and the types.
struct placement_value {
  placement_kind kind = placement_kind::ill_typed;
  int dim = -1;

  /// S<d>.
  constexpr bool is_shard() const noexcept { return dim >= 0; }
  /// R or I: one value held whole by every rank.
  constexpr bool is_whole() const noexcept {
    return kind == placement_kind::replicate || kind == placement_kind::invariant;
  }
  friend constexpr bool operator==(placement_value, placement_value) = default;
};

/// The value of placement `T`.
template <placement T>
inline constexpr placement_value placement_value_of = [] {
  if constexpr (shard_placement<T>)
    return placement_value{T::kind, T::dim};
  else
    return placement_value{T::kind, -1};
}();

/// The placement of kind `Kind` and shard dim `Dim` (a placement_value's members): S<Dim> for a
/// varying kind with Dim >= 0, V for one with -1.
template <placement_kind Kind, int Dim = -1>
using placement_t =
    std::tuple_element_t<static_cast<std::size_t>(Kind),  // in the order of placement_kind
                         std::tuple<R, I, std::conditional_t<(Dim >= 0), S<(Dim >= 0 ? Dim : 0)>, V>, P, ill_typed>>;

// DTensor spellings.
using Replicate = R;
using Partial = P;
template <int Dim>
using Shard = S<Dim>;
// Long spellings of the local SPMD types.
using Invariant = I;
using Varying = V;

/// JAX explicit-sharding spellings: a default (replicated) axis is I, a `reduced` axis is R,
/// an `unreduced` axis is P, a sharded axis is S<d>.
namespace jax {
using replicated = I;
using reduced = R;
using unreduced = P;
template <int Dim>
using sharded = S<Dim>;
}  // namespace jax

}  // namespace spmd
