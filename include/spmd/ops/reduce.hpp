// spmd/ops/reduce.hpp - typed reductions over one tensor dim: sum<d>, mean<d>.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

#include <spmd/ops/detail/kernel_call.hpp>
#include <spmd/ops/elementwise.hpp>
#include <spmd/ops/view.hpp>

// The kernel names the definitions below call (ops/detail/kernel_call.hpp).
namespace spmd::detail::kernel {
SPMD_DETAIL_KERNEL(sum)
SPMD_DETAIL_KERNEL(mean)
}  // namespace spmd::detail::kernel

namespace spmd {

namespace op {

template <int Dim>
struct sum {
  static constexpr std::string_view name = "sum";
  static constexpr auto linearity = spmd::linearity::linear;
  using dims = rules::sum_dims<Dim>;
  template <class X, class... OutPartial>
  static consteval bool check() {
    static_assert(detail::dim_in_range<Dim, X::ndim>, "spmd: sum<Dim>: Dim must be a dim of the tensor");
    static_assert((out_partial_spec<OutPartial> && ...) && sizeof...(OutPartial) <= 1,
                  "spmd: sum<Dim>(x, p): p must be out_partial<\"axis\", ...>");
    return detail::dim_in_range<Dim, X::ndim> && (out_partial_spec<OutPartial> && ...) && sizeof...(OutPartial) <= 1;
  }
  static auto kernel(auto&& x) {
    return detail::kernel::sum_fn{}(std::forward<decltype(x)>(x), static_cast<std::size_t>(Dim));
  }
  /// g spread along Dim; where the sum was declared a pending sum, each rank's piece of g.
  template <std::size_t, class X, class... OutPartial>
  static auto backward(auto const& g, auto const&, X const& x, OutPartial const&...) {
    using declared = detail::call_out_partial_t<OutPartial...>;
    return detail::expand(detail::unpartial<X, declared>(spmd::apply<unsqueeze<Dim>>(g)), x);
  }
};

template <int Dim>
struct mean {
  static constexpr std::string_view name = "mean";
  static constexpr auto linearity = spmd::linearity::linear;
  using dims = rules::mean_dims<Dim>;
  template <class X>
  static consteval bool check() {
    static_assert(detail::dim_in_range<Dim, X::ndim>, "spmd: mean<Dim>: Dim must be a dim of the tensor");
    return detail::dim_in_range<Dim, X::ndim>;
  }
  static auto kernel(auto&& x) {
    return detail::kernel::mean_fn{}(std::forward<decltype(x)>(x), static_cast<std::size_t>(Dim));
  }
  /// g / n spread along Dim.
  template <std::size_t, class X>
  static auto backward(auto const& g, auto const&, X const& x) {
    auto const n = static_cast<typename X::value_type>(x.local().shape()[Dim]);
    return detail::expand(spmd::apply<unsqueeze<Dim>>(g), x) / n;
  }
};

/// The sum of every element of a 2-dim tensor, as a [1, 1] tensor (linear). Passes through
/// 1 dim only: [n, m] -> [1, n m] -> [1] -> [1, 1].
struct sum_all {
  static constexpr std::string_view name = "sum_all";
  static constexpr auto linearity = spmd::linearity::linear;
  using dims = rules::total_dims;
  template <class X, class... OutPartial>
  static consteval bool check() {
    static_assert(X::ndim == 2, "spmd: sum_all takes a 2-dim tensor");
    return X::ndim == 2;
  }
  static auto kernel(auto const& x) {
    std::size_t const n = x.shape()[0] * x.shape()[1];
    auto row = detail::kernel::reshape_fn{}(x, std::array<std::size_t, 2>{1, n});
    return detail::kernel::unsqueeze_fn{}(detail::kernel::sum_fn{}(std::move(row), std::size_t{1}), std::size_t{1});
  }
  /// g spread over every element; where the sum was a pending sum, each rank's piece of g.
  template <std::size_t, class X, class... OutPartial>
  static auto backward(auto const& g, auto const&, X const& x, OutPartial const&...) {
    return detail::expand(detail::unpartial<X, detail::call_out_partial_t<OutPartial...>>(g), x);
  }
};

}  // namespace op

/// The sum of every element of a 2-dim tensor, as a [1, 1] tensor (linear: P stays P). On an
/// axis where x is sharded the local sum is a partial sum: the result is P there.
template <op_operand T>
auto sum_all(T&& x) {
  return op_fn<op::sum_all>{}(std::forward<T>(x), out_partial_over_any_shard_t<detail::operand_tensor_t<T>>{});
}

/// Sum over tensor dim `Dim`, which disappears (linear: P stays P); S on a later dim is renumbered.
/// The local sum of a shard along `Dim` is a partial sum: the call must say so with
/// `out_partial<axis>` (`sum<0>(x, out_partial<"tp">)`, result P there), or it does not compile.
template <int Dim, op_operand T, class... OutPartial>
auto sum(T&& x, OutPartial... p) {
  return op_fn<op::sum<Dim>>{}(std::forward<T>(x), p...);
}

/// Mean over tensor dim `Dim`, which disappears (linear: P stays P). The divisor is the local
/// extent, so `Dim` must not be sharded: sum with out_partial, reduce, divide by the global extent.
template <int Dim, op_operand T>
auto mean(T&& x) {
  return op_fn<op::mean<Dim>>{}(std::forward<T>(x));
}

}  // namespace spmd
