// spmd/ops/matmul.hpp - typed matrix product, with out_partial for the row-parallel case.
#pragma once

#include <type_traits>
#include <utility>

#include <spmd/ops/detail/checks.hpp>
#include <spmd/ops/detail/kernel_call.hpp>
#include <spmd/rules/dim_maps.hpp>
#include <spmd/rules/layout_rule.hpp>
#include <spmd/rules/ops.hpp>
#include <spmd/rules/out_partial.hpp>
#include <spmd/tensor.hpp>

namespace spmd {

/// The matrix product a @ b (batched when a rank is above 2): multilinear, so at most one operand
/// is P on each axis. An S<d> on a kept dim follows it into the result; a contracted S decays to V.
/// `out_partial<axes...>` declares that the contraction ran over sharded pieces on those axes
/// (the row-parallel matmul): the V result there is a pending sum, P.
template <typed_tensor A, typed_tensor B, class OutPartial = no_out_partial>
auto matmul(A&& a, B&& b, OutPartial = {}) {
  static_assert(out_partial_spec<OutPartial>,
                "spmd: matmul(a, b, x): the third argument must be out_partial<\"axis\", ...>");
  static_assert(detail::same_mesh<A, B>(),
                "spmd: the operands live on different meshes; an op combines tensors of one mesh only");
  using XA = detail::bare<A>;
  using XB = detail::bare<B>;
  static_assert(XA::rank >= 2 && XB::rank >= 2, "spmd: matmul needs operands of rank 2 or more");
  using mesh = typename XA::mesh_type;
  using contracted = rules::result_layout_t<op::matmul, mesh, rules::matmul_dims<XA::rank, XB::rank>,
                                            typename XA::layout_type, typename XB::layout_type>;
  using out_layout = rules::apply_out_partial_t<mesh, contracted, OutPartial>;
  static_assert(std::is_invocable_v<detail::kernel::matmul_fn, decltype(std::forward<A>(a).local()),
                                    decltype(std::forward<B>(b).local())>,
                "spmd: the local tensor types have no matmul kernel for these ranks");
  auto out = detail::kernel::matmul_fn{}(std::forward<A>(a).local(), std::forward<B>(b).local());
  return basic_tensor<decltype(out), mesh, out_layout>(std::move(out));
}

}  // namespace spmd
