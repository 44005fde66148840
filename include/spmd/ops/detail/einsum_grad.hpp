// spmd/ops/detail/einsum_grad.hpp - the backward of einsum, as einsums built at compile time.
//
// The gradient of operand K of einsum<"in0,in1->out"> is itself an einsum:
// einsum<"out,other->inK">(g, other). Labels that operand K alone sums over are not in that
// result; they come back as dims of extent 1, broadcast to the operand's shape.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

#include <spmd/core/fixed_string.hpp>
#include <spmd/local/einsum_spec.hpp>
#include <spmd/ops/detail/gradients.hpp>
#include <spmd/ops/view.hpp>
#include <spmd/tensor.hpp>

namespace spmd {
template <fixed_string Spec, op_operand A, class... Rest>
auto einsum(A&& a, Rest&&... rest);
}  // namespace spmd

namespace spmd::detail {

/// The spec of the einsum giving operand K's gradient, and the dims of K that it lacks.
struct einsum_grad_plan {
  std::array<char, 3 * local::einsum_max_labels + 4> text{};  // out (or a dummy), other, kept
  std::size_t size = 0;
  std::array<std::size_t, local::einsum_max_labels> lone{};  ///< K's dims summed in K alone, ascending
  std::size_t n_lone = 0;
  bool scalar_out = false;  ///< the forward result has no dims: g gets a label of extent 1
};

template <fixed_string Spec, std::size_t K>
consteval einsum_grad_plan make_einsum_grad_plan() {
  constexpr local::einsum_parse p = local::parse_einsum(Spec.view());
  constexpr bool two = p.n_inputs == 2;
  einsum_grad_plan r;
  auto put = [&r](char c) { r.text[r.size++] = c; };
  auto used = [&p](char c) {
    return p.in_position(0, c) != local::einsum_npos || p.in_position(1, c) != local::einsum_npos;
  };
  r.scalar_out = p.out_ndim == 0;
  if (r.scalar_out) {
    constexpr std::string_view letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::size_t i = 0;
    while (used(letters[i])) ++i;
    put(letters[i]);
  }
  for (std::size_t d = 0; d < p.out_ndim; ++d) put(p.out_labels[d]);
  if (two) {
    put(',');
    for (std::size_t d = 0; d < p.in_ndim[1 - K]; ++d) put(p.in_labels[1 - K][d]);
  }
  put('-');
  put('>');
  for (std::size_t d = 0; d < p.in_ndim[K]; ++d) {
    char const c = p.in_labels[K][d];
    if (p.out_position(c) != local::einsum_npos || (two && p.in_position(1 - K, c) != local::einsum_npos))
      put(c);
    else
      r.lone[r.n_lone++] = d;
  }
  return r;
}

/// The plan's spec as a template argument.
template <einsum_grad_plan Plan>
consteval fixed_string<Plan.size + 1> plan_spec() {
  char s[Plan.size + 1]{};
  for (std::size_t i = 0; i < Plan.size; ++i) s[i] = Plan.text[i];
  return fixed_string<Plan.size + 1>(s);
}

template <fixed_string Spec, std::size_t K>
struct einsum_grad {
  static constexpr einsum_grad_plan plan = make_einsum_grad_plan<Spec, K>();
  static constexpr auto spec = plan_spec<plan>();
};

/// `t` with a dim of extent 1 inserted at each of the plan's lone dims.
template <class Grad, std::size_t J = 0, typed_tensor T>
auto unsqueeze_lone(T t) {
  if constexpr (J == Grad::plan.n_lone)
    return t;
  else
    return unsqueeze_lone<Grad, J + 1>(spmd::unsqueeze<static_cast<int>(Grad::plan.lone[J])>(std::move(t)));
}

/// The local gradient of operand K (value `x`) of einsum<Spec>, from the result's gradient `g`
/// and the other operand's value, if any.
template <fixed_string Spec, std::size_t K, class OutPartial, typed_tensor G, typed_tensor X, typed_tensor... Other>
auto einsum_grad_of(G const& g, X const& x, Other const&... other) {
  using grad = einsum_grad<Spec, K>;
  auto pieces = unpartial<X, OutPartial>(g);
  auto labelled = [&] {
    if constexpr (grad::plan.scalar_out)
      return spmd::reshape(pieces, std::array<std::size_t, 1>{1});
    else
      return pieces;
  }();
  auto t = spmd::einsum<grad::spec>(labelled, other..., partial_axes_t<X, decltype(labelled), Other...>{});
  if constexpr (grad::plan.n_lone == 0)
    return t;
  else
    return expand(unsqueeze_lone<grad>(std::move(t)), x);
}

}  // namespace spmd::detail
