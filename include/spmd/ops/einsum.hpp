// spmd/ops/einsum.hpp - typed einsum: einsum<"ij,jk->ik">(a, b [, out_partial<...>]).
#pragma once

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <spmd/local/einsum_spec.hpp>
#include <spmd/ops/detail/checks.hpp>
#include <spmd/ops/detail/kernel_call.hpp>
#include <spmd/ops/elementwise.hpp>
#include <spmd/ops/matmul.hpp>
#include <spmd/rules/layout_rule.hpp>
#include <spmd/rules/out_partial.hpp>

namespace spmd {

namespace op {
/// The typing of einsum (multilinear); spmd::einsum below applies it.
struct einsum {
  static constexpr std::string_view name = "einsum";
  static constexpr auto linearity = spmd::linearity::multilinear;
};
}  // namespace op

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

template <class Spec, class... Ts>
consteval bool einsum_ranks_match() {
  std::size_t i = 0;
  return ((bare<Ts>::rank == Spec::in_rank(i++)) && ...);
}

// Each check runs only if the ones before it hold; after a failed one the result is a default
// tensor of the first operand's type, so that the call's diagnostic is the only error.
template <fixed_string Spec, class OutPartial, class... Ts>
auto apply_einsum(Ts&&... xs) {
  static_assert(out_partial_spec<OutPartial>, "spmd: einsum<spec>(...): the last argument must be out_partial<\"axis\", ...>");
  using first = bare<std::tuple_element_t<0, std::tuple<Ts...>>>;
  using spec = local::einsum_spec<Spec>;
  constexpr std::size_t given = sizeof...(Ts);
  if constexpr (!einsum_spec_valid<Spec>()) {
    return first{};
  } else if constexpr (spec::n_inputs != given) {
    static_assert(spec::n_inputs == given, "spmd: einsum<spec>: the spec names a different number of operands than "
                                           "the call passes");
    return first{};
  } else if constexpr (constexpr bool ranks_match = einsum_ranks_match<spec, Ts...>(); !ranks_match) {
    static_assert(ranks_match, "spmd: einsum<spec>: an operand's rank differs from the number of its labels in "
                               "the spec");
    return first{};
  } else {
    using mesh = typename first::mesh_type;
    using dims = einsum_dims<spec>;
    if constexpr (!same_mesh<bare<Ts>...>()) {
      return rejected<typename first::local_type, mesh, ill_typed_layout_t<mesh>>();
    } else {
      using rule = rules::op_rule<op::einsum, mesh, dims, OutPartial, typename bare<Ts>::layout_type...>;
      using out_layout = typename rule::type;
      if constexpr (!rule::valid) {
        static_cast<void>(sizeof(typename rule::diagnosis));  // the rule's static_assert
        return rejected<typename first::local_type, mesh, out_layout>();
      } else {
        static_assert(std::is_invocable_v<kernel::einsum_fn, spec, decltype(std::forward<Ts>(xs).local())...>,
                      "spmd: the local tensor types have no einsum kernel (local::dense has its kernels "
                      "in <spmd/dense.hpp>)");
        check_broadcasts<dims, mesh, out_layout>(xs...);
        auto out = kernel::einsum_fn{}(spec{}, std::forward<Ts>(xs).local()...);
        return basic_tensor<decltype(out), mesh, out_layout>(std::move(out));
      }
    }
  }
}

}  // namespace detail

/// Einstein summation over one typed tensor, e.g. `einsum<"ij->ji">(x)` or `einsum<"ij->i">(x)`.
/// Linear: P stays P. An S<d> follows its label to the output; summed over, it needs
/// `out_partial<axis>` (the result is P there).
template <fixed_string Spec, typed_tensor A, out_partial_spec OutPartial = no_out_partial>
auto einsum(A&& a, OutPartial = {}) {
  return detail::apply_einsum<Spec, OutPartial>(std::forward<A>(a));
}

/// Einstein summation of two typed tensors, e.g. `einsum<"bsh,hf->bsf">(x, w)`: multilinear, so
/// at most one operand is P on each axis. A summed label sharded in both operands on an axis needs
/// `out_partial<axis>` (the result is a pending sum, P, there); sharded in one only, it is an error.
template <fixed_string Spec, typed_tensor A, typed_tensor B, out_partial_spec OutPartial = no_out_partial>
auto einsum(A&& a, B&& b, OutPartial = {}) {
  return detail::apply_einsum<Spec, OutPartial>(std::forward<A>(a), std::forward<B>(b));
}

}  // namespace spmd
