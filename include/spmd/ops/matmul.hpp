// spmd/ops/matmul.hpp - typed matrix product, with out_partial for the row-parallel case.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

#include <spmd/ops/define.hpp>
#include <spmd/ops/detail/gradients.hpp>
#include <spmd/ops/detail/kernel_call.hpp>
#include <spmd/ops/elementwise.hpp>
#include <spmd/ops/view.hpp>
#include <spmd/rules/dim_maps.hpp>
#include <spmd/rules/out_partial.hpp>

// The kernel names the definitions below call (ops/detail/kernel_call.hpp).
namespace spmd::detail::kernel {
SPMD_DETAIL_KERNEL(matmul)
}  // namespace spmd::detail::kernel

namespace spmd {

namespace detail {
/// Swap of the last two dims.
template <typed_tensor T>
auto mT(T const& x) {
  return spmd::transpose<static_cast<int>(T::ndim) - 2, static_cast<int>(T::ndim) - 1>(x);
}
/// The 2-dim [rows, last] view of x, all leading dims merged into rows.
template <typed_tensor T>
auto rows_view(T const& x) {
  auto const& s = x.local().shape();
  std::size_t n = 1;
  for (std::size_t d = 0; d + 1 < T::ndim; ++d) n *= s[d];
  return spmd::reshape(x, std::array<std::size_t, 2>{n, s[T::ndim - 1]});
}
}  // namespace detail

namespace op {

/// The matrix product a @ b, batched when an operand has more than 2 dims (for
/// the numbers of dims the local kernels provide: dense has [b,m,k] @ [k,n] and [b,m,k] @ [b,k,n]).
struct matmul {
  static constexpr std::string_view name = "matmul";
  static constexpr auto linearity = spmd::linearity::multilinear;
  static constexpr std::size_t arity = 2;
  template <class A, class B>
  using dims_for = rules::matmul_dims<A::ndim, B::ndim>;
  template <class A, class B, class... OutPartial>
  static consteval bool check() {
    constexpr bool spec = (out_partial_spec<OutPartial> && ...) && sizeof...(OutPartial) <= 1;
    static_assert(spec, "spmd: matmul(a, b, x): the third argument must be out_partial<\"axis\", ...>");
    static_assert(A::ndim >= 2 && B::ndim >= 2, "spmd: matmul needs operands of 2 or more dims");
    return spec && A::ndim >= 2 && B::ndim >= 2;
  }
  static constexpr detail::kernel::matmul_fn kernel{};

  /// g @ b^T and a^T @ g (a 2-dim b against a batched a gets the gradient of all rows at once).
  /// The gradient of an R operand that met a varying one is declared P (partial_axes_t).
  template <std::size_t I, class A, class B>
  static auto backward(auto const& g, auto const& y, A const& a, B const& b, auto const&...) {
    constexpr std::size_t ndim = std::remove_cvref_t<decltype(y)>::ndim;
    static_assert(A::ndim == ndim && (B::ndim == ndim || B::ndim == 2),
                  "spmd: autograd::matmul: a batched right operand needs a left operand with as many dims");
    if constexpr (I == 0) {
      auto const bt = detail::mT(b);
      return detail::unbroadcast(spmd::apply<matmul>(g, bt, detail::partial_axes_t<A, decltype(g), decltype(bt)>{}), a);
    } else if constexpr (B::ndim == ndim) {
      auto const at = detail::mT(a);
      return detail::unbroadcast(spmd::apply<matmul>(at, g, detail::partial_axes_t<B, decltype(at), decltype(g)>{}), b);
    } else {  // b met every row of the batched a: one [k, rows] @ [rows, n] product
      auto const at = spmd::transpose<0, 1>(detail::rows_view(a));
      auto const gr = detail::rows_view(g);
      return spmd::apply<matmul>(at, gr, detail::partial_axes_t<B, decltype(at), decltype(gr)>{});
    }
  }
};

}  // namespace op

/// The matrix product a @ b (batched above 2 dims): multilinear, so at most one operand
/// is P on each axis. An S<d> on a kept dim follows it into the result. A contracted dim sharded
/// in both operands leaves a partial sum on each rank: `out_partial<axes...>` must name those
/// axes (the row-parallel matmul), and the result is P there.
template <op_operand A, op_operand B, class... OutPartial>
auto matmul(A&& a, B&& b, OutPartial... p) {
  return op_fn<op::matmul>{}(std::forward<A>(a), std::forward<B>(b), p...);
}

}  // namespace spmd
