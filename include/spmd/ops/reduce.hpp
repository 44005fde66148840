// spmd/ops/reduce.hpp - typed reductions over one tensor dim: sum<d>, mean<d>.
#pragma once

#include <cstddef>
#include <utility>

#include <spmd/ops/elementwise.hpp>

namespace spmd {

/// Sum over tensor dim `Dim`, which disappears (linear: P stays P). S<Dim> decays to V: the local
/// sum of a shard is a partial sum, not a shard; S on a later dim is renumbered.
template <int Dim, typed_tensor T>
auto sum(T&& x) {
  static_assert(detail::dim_in_range<Dim, detail::bare<T>::rank>, "spmd: sum<Dim>: Dim must be a dim of the tensor");
  return detail::apply_unary<op::sum, rules::reduce_dims<Dim>>(detail::kernel::sum_fn{}, std::forward<T>(x),
                                                               static_cast<std::size_t>(Dim));
}

/// Mean over tensor dim `Dim`, which disappears (linear: P stays P; the divisor is the local extent).
template <int Dim, typed_tensor T>
auto mean(T&& x) {
  static_assert(detail::dim_in_range<Dim, detail::bare<T>::rank>, "spmd: mean<Dim>: Dim must be a dim of the tensor");
  return detail::apply_unary<op::mean, rules::reduce_dims<Dim>>(detail::kernel::mean_fn{}, std::forward<T>(x),
                                                                static_cast<std::size_t>(Dim));
}

}  // namespace spmd
