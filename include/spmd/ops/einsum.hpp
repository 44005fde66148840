// spmd/ops/einsum.hpp - typed einsum: einsum<"ij,jk->ik">(a, b [, out_partial<...>]).
#pragma once

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <spmd/local/einsum_spec.hpp>
#include <spmd/ops/define.hpp>
#include <spmd/ops/detail/checks.hpp>
#include <spmd/ops/detail/einsum_grad.hpp>
#include <spmd/ops/detail/kernel_call.hpp>
#include <spmd/ops/elementwise.hpp>
#include <spmd/rules/out_partial.hpp>

// The kernel names the definitions below call (ops/detail/kernel_call.hpp).
namespace spmd::detail::kernel {
SPMD_DETAIL_KERNEL(einsum)
}  // namespace spmd::detail::kernel

namespace spmd {

namespace detail {

/// Diagnoses a malformed spec: one static_assert per kind of mistake, in the words of the call.
template <fixed_string Spec>
consteval bool einsum_spec_valid() {
  using local::einsum_error;
  constexpr auto e = local::parse_einsum(Spec.view()).code();
  static_assert(e != einsum_error::missing_arrow,
                "spmd: einsum<spec>: the spec has no \"->\"; name the output labels, e.g. \"ij,jk->ik\"");
  static_assert(e != einsum_error::bad_character,
                "spmd: einsum<spec>: labels must be letters a-z or A-Z (no spaces, digits, ellipsis or second "
                "\"->\")");
  static_assert(e != einsum_error::too_many_operands, "spmd: einsum<spec>: the spec names more than two operands");
  static_assert(e != einsum_error::empty_operand, "spmd: einsum<spec>: an operand of the spec has no labels");
  static_assert(e != einsum_error::repeated_label_in_operand,
                "spmd: einsum<spec>: a label repeats within one operand (diagonals are not supported)");
  static_assert(e != einsum_error::output_label_not_in_inputs,
                "spmd: einsum<spec>: an output label appears in no operand");
  static_assert(e != einsum_error::repeated_output_label, "spmd: einsum<spec>: an output label repeats");
  static_assert(e != einsum_error::too_many_labels, "spmd: einsum<spec>: more than 16 labels in one operand");
  return e == einsum_error::none;
}

/// Where each operand dim goes in an einsum's result: to the output dim with the same label, or
/// contracted with the other dims of that label if it is summed over.
template <class Spec>
struct einsum_dims {
  static constexpr rules::dim_fate fate(std::size_t operand, int d) noexcept {
    char const label = Spec::in_label(operand, static_cast<std::size_t>(d));
    std::size_t const pos = Spec::out_position(label);
    return pos == local::einsum_npos ? rules::dim_fate::summed(label) : rules::dim_fate::to(static_cast<int>(pos));
  }
  static constexpr int contracted_dim(std::size_t operand, int label) noexcept {
    std::size_t const pos = Spec::in_position(operand, static_cast<char>(label));
    return pos == local::einsum_npos ? -1 : static_cast<int>(pos);
  }
};

/// The number of operands the spec names (1 for a malformed spec, which the check reports).
template <fixed_string Spec>
consteval std::size_t einsum_arity() {
  auto const p = local::parse_einsum(Spec.view());
  return p.ok() ? p.n_inputs : std::size_t{1};
}

/// True if the tensors among `Ts...` (the operands, then attributes) have the spec's ranks.
template <class Spec, class... Ts>
consteval bool einsum_ndims_match() {
  std::size_t i = 0;
  bool ok = true;
  ((ok = ok && (!typed_tensor<Ts> || ndim_of<Ts> == Spec::in_ndim(i++))), ...);
  return ok;
}

}  // namespace detail

namespace op {

/// Einstein summation over one or two operands: multilinear (linear for one operand). A label
/// summed over that is sharded in every operand that has it needs out_partial.
template <fixed_string Spec>
struct einsum {
  static constexpr std::string_view name = "einsum";
  static constexpr auto linearity = spmd::linearity::multilinear;
  static constexpr std::size_t arity = detail::einsum_arity<Spec>();
  using spec = local::einsum_spec<Spec>;
  template <class... Operands>
  using dims_for = detail::einsum_dims<spec>;

  /// Each check runs only if the ones before it hold, so that the call gets one diagnostic.
  template <class... Args>
  static consteval bool check() {
    constexpr std::size_t given = (std::size_t{0} + ... + (typed_tensor<Args> ? 1 : 0));
    using last = typename detail::last_of<no_out_partial, Args...>::type;
    constexpr bool last_ok = typed_tensor<last> || out_partial_spec<last>;
    static_assert(last_ok, "spmd: einsum<spec>(...): the last argument must be out_partial<\"axis\", ...>");
    if constexpr (!last_ok || !detail::einsum_spec_valid<Spec>()) {
      return false;
    } else if constexpr (spec::n_inputs != given) {
      static_assert(spec::n_inputs == given,
                    "spmd: einsum<spec>: the spec names a different number of operands "
                    "than the call passes");
      return false;
    } else {
      constexpr bool ndims_match = detail::einsum_ndims_match<spec, Args...>();
      static_assert(ndims_match,
                    "spmd: einsum<spec>: an operand's number of dims differs from the number of its labels in "
                    "the spec");
      return ndims_match;
    }
  }
  static auto kernel(auto&&... xs) { return detail::kernel::einsum_fn{}(spec{}, std::forward<decltype(xs)>(xs)...); }

  /// Operand K's gradient is an einsum of g and the other operand (detail/einsum_grad.hpp).
  template <std::size_t K, class X, class... Rest>
  static auto backward(auto const& g, auto const&, X const& x, Rest const&... rest) {
    if constexpr (spec::n_inputs == 1) {
      return detail::einsum_grad_of<Spec, 0, detail::call_out_partial_t<Rest...>>(g, x);
    } else {
      return backward_of_two<K>(g, x, rest...);
    }
  }

 private:
  template <std::size_t K, class A, class B, class... OutPartial>
  static auto backward_of_two(auto const& g, A const& a, B const& b, OutPartial const&...) {
    using declared = detail::call_out_partial_t<OutPartial...>;
    if constexpr (K == 0)
      return detail::einsum_grad_of<Spec, 0, declared>(g, a, b);
    else
      return detail::einsum_grad_of<Spec, 1, declared>(g, b, a);
  }
};

}  // namespace op

/// Einstein summation, e.g. `einsum<"ij->ji">(x)`, `einsum<"ij->i">(x, out_partial<"tp">)` or
/// `einsum<"bsh,hf->bsf">(x, w)`: linear in one operand, multilinear in two (at most one P on
/// each axis). An S<d> follows its label to the output; a summed label sharded on an axis in
/// every operand that has it needs `out_partial<axis>` (the result is P there); sharded in one
/// only, it is an error.
template <fixed_string Spec, op_operand A, class... Rest>
auto einsum(A&& a, Rest&&... rest) {
  return op_fn<op::einsum<Spec>>{}(std::forward<A>(a), std::forward<Rest>(rest)...);
}

}  // namespace spmd
