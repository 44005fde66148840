// spmd/global/autograd.hpp - reverse-mode autograd in the global view.
//
// A global variable is a global tensor whose rank holds an autograd variable: every op records
// its backward as for local variables, and global::redistribute records each step of its plan
// with the step's backward (all_gather <-> reduce_scatter, all_reduce, converts), so gradients
// come back with the gradient spec (R <-> P, I, shards kept) and the same global extents.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <spmd/autograd/apply.hpp>
#include <spmd/autograd/backward.hpp>
#include <spmd/autograd/collectives.hpp>
#include <spmd/autograd/tape.hpp>
#include <spmd/core/grad.hpp>
#include <spmd/global/plan.hpp>
#include <spmd/global/redistribute.hpp>
#include <spmd/global/tensor.hpp>

namespace spmd::global {

namespace detail {
template <class T>
struct steps_for<autograd::var<T>> {
  using type = autograd::detail::variable_steps_in_plan_order;
};

/// The per-axis entries of the gradient of `X`: the same dims, R <-> P, I kept.
template <class X>
struct grad_entries {
  static constexpr auto value = [] {
    auto a = type_entries<X>::value;
    for (auto& e : a)
      if (e.dim < 0 && e.whole != placement_kind::invariant)
        e.whole = e.whole == placement_kind::replicate ? placement_kind::partial : placement_kind::replicate;
    return a;
  }();
  using form = canonical<typename X::mesh_type, X::ndim, value>;
};
}  // namespace detail

/// The global variable type of global tensor type `X`.
template <spmd::global_typed_tensor X>
using var_t = basic_global_tensor<autograd::var<typename std::remove_cvref_t<X>::tensor_type>,
                                  typename std::remove_cvref_t<X>::spec_type>;

/// The gradient type of global tensor (or variable) type `X`: the same dims and extents, the
/// gradient layout (grad_t: R <-> P, I and shards kept).
template <spmd::global_typed_tensor X>
using grad_type_t = basic_global_tensor<
    basic_tensor<typename std::remove_cvref_t<X>::local_type, typename std::remove_cvref_t<X>::mesh_type,
                 typename detail::grad_entries<std::remove_cvref_t<X>>::form::layout_type>,
    typename detail::grad_entries<std::remove_cvref_t<X>>::form::spec_type>;

/// `x` as a variable recorded on `t`: a gradient flows to it.
template <spmd::global_typed_tensor X>
var_t<X> variable(autograd::tape& t, X const& x) {
  using T = typename std::remove_cvref_t<X>::tensor_type;
  return var_t<X>{autograd::var<T>::make(x.typed(), true, &t), x.global_shape()};
}

/// `x` as a constant variable: no gradient flows to it.
template <spmd::global_typed_tensor X>
var_t<X> constant(X const& x) {
  using T = typename std::remove_cvref_t<X>::tensor_type;
  return var_t<X>{autograd::var<T>{x.typed()}, x.global_shape()};
}

/// The value of a global variable, as a global tensor.
template <class T, class Spec>
basic_global_tensor<T, Spec> value(basic_global_tensor<autograd::var<T>, Spec> const& v) {
  return {v.typed().value(), v.global_shape()};
}

/// The gradient of a global variable after backward, as a global tensor of the gradient spec
/// (std::logic_error if it has none).
template <class T, class Spec>
auto grad(basic_global_tensor<autograd::var<T>, Spec> const& v) {
  using G = grad_type_t<basic_global_tensor<autograd::var<T>, Spec>>;
  static_assert(std::is_same_v<typename G::tensor_type, grad_t<T>>, "spmd: global: gradient spec (please report)");
  return G{v.typed().grad(), v.global_shape()};
}

/// Runs reverse-mode differentiation of a global loss (I or P on every mesh axis).
template <class T, class Spec>
void backward(basic_global_tensor<autograd::var<T>, Spec> const& loss) {
  autograd::backward(loss.typed());
}

}  // namespace spmd::global
