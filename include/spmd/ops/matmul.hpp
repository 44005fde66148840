// spmd/ops/matmul.hpp - typed matrix product, with out_partial for the row-parallel case.
#pragma once

#include <string_view>
#include <type_traits>
#include <utility>

#include <spmd/ops/detail/checks.hpp>
#include <spmd/ops/detail/kernel_call.hpp>
#include <spmd/ops/elementwise.hpp>
#include <spmd/rules/dim_maps.hpp>
#include <spmd/rules/layout_rule.hpp>
#include <spmd/rules/out_partial.hpp>
#include <spmd/tensor.hpp>

namespace spmd {

namespace op {
/// The typing of the matrix product (multilinear); spmd::matmul below applies it.
struct matmul {
  static constexpr std::string_view name = "matmul";
  static constexpr auto linearity = spmd::linearity::multilinear;
};
}  // namespace op

/// The matrix product a @ b (batched when a rank is above 2): multilinear, so at most one operand
/// is P on each axis. An S<d> on a kept dim follows it into the result. A contracted dim sharded
/// in both operands leaves a partial sum on each rank: `out_partial<axes...>` must name those
/// axes (the row-parallel matmul), and the result is P there.
template <typed_tensor A, typed_tensor B, class OutPartial = no_out_partial>
auto matmul(A&& a, B&& b, OutPartial = {}) {
  static_assert(out_partial_spec<OutPartial>,
                "spmd: matmul(a, b, x): the third argument must be out_partial<\"axis\", ...>");
  using XA = detail::bare<A>;
  using XB = detail::bare<B>;
  static_assert(XA::rank >= 2 && XB::rank >= 2, "spmd: matmul needs operands of rank 2 or more");
  using mesh = typename XA::mesh_type;
  using dims = rules::matmul_dims<XA::rank, XB::rank>;
  if constexpr (!detail::same_mesh<A, B>() || !out_partial_spec<OutPartial>) {
    return detail::rejected<typename XA::local_type, mesh, ill_typed_layout_t<mesh>>();
  } else {
    using rule = rules::op_rule<op::matmul, mesh, dims, OutPartial, typename XA::layout_type, typename XB::layout_type>;
    using out_layout = typename rule::type;
    if constexpr (!rule::valid) {
      static_cast<void>(sizeof(typename rule::diagnosis));  // the rule's static_assert
      return detail::rejected<typename XA::local_type, mesh, out_layout>();
    } else {
      static_assert(std::is_invocable_v<detail::kernel::matmul_fn, decltype(std::forward<A>(a).local()),
                                        decltype(std::forward<B>(b).local())>,
                    "spmd: the local tensor types have no matmul kernel for these ranks (local::dense has "
                    "its kernels in <spmd/dense.hpp>)");
      detail::check_broadcasts<dims, mesh, out_layout>(a, b);
      auto out = detail::kernel::matmul_fn{}(std::forward<A>(a).local(), std::forward<B>(b).local());
      return basic_tensor<decltype(out), mesh, out_layout>(std::move(out));
    }
  }
}

}  // namespace spmd
