// spmd/ops/reduce.hpp - typed reductions over one tensor dim: sum<d>, mean<d>.
#pragma once

#include <cstddef>
#include <utility>

#include <spmd/ops/elementwise.hpp>

namespace spmd {

/// Sum over tensor dim `Dim`, which disappears (linear: P stays P); S on a later dim is renumbered.
/// The local sum of a shard along `Dim` is a partial sum: the call must say so with
/// `out_partial<axis>` (`sum<0>(x, out_partial<"tp">)`, result P there), or it does not compile.
template <int Dim, typed_tensor T, out_partial_spec OutPartial = no_out_partial>
auto sum(T&& x, OutPartial = {}) {
  static_assert(detail::dim_in_range<Dim, detail::bare<T>::rank>, "spmd: sum<Dim>: Dim must be a dim of the tensor");
  return detail::apply_unary<op::sum, rules::sum_dims<Dim>, OutPartial>(detail::kernel::sum_fn{}, std::forward<T>(x),
                                                                        static_cast<std::size_t>(Dim));
}

/// Mean over tensor dim `Dim`, which disappears (linear: P stays P). The divisor is the local
/// extent, so `Dim` must not be sharded: sum with out_partial, reduce, divide by the global extent.
template <int Dim, typed_tensor T>
auto mean(T&& x) {
  static_assert(detail::dim_in_range<Dim, detail::bare<T>::rank>, "spmd: mean<Dim>: Dim must be a dim of the tensor");
  return detail::apply_unary<op::mean, rules::mean_dims<Dim>>(detail::kernel::mean_fn{}, std::forward<T>(x),
                                                                static_cast<std::size_t>(Dim));
}

}  // namespace spmd
