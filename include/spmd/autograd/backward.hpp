// spmd/autograd/backward.hpp - backward(loss): seeds the gradient of a loss and runs the tape.
#pragma once

#include <spmd/autograd/tape.hpp>
#include <spmd/core/meta.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/local/differentiable.hpp>
#include <spmd/rules/axis_rule.hpp>

namespace spmd::autograd {

namespace detail {
template <class Axis, placement Pl>
consteval bool loss_placement_ok() {
  if constexpr (kind_of<Pl> == placement_kind::invariant || kind_of<Pl> == placement_kind::partial) {
    return true;
  } else if constexpr (ill_typed_placement<Pl>) {
    return false;  // the op that made the loss was rejected and has said why
  } else {
    static_assert(spmd::detail::always_false<Axis, Pl>,
                  "spmd: backward() needs a loss that is I or P on every mesh axis (P on data axes, I on "
                  "model axes); an R or V loss has an ambiguous gradient seed: all_reduce a V/P loss to I, "
                  "or keep it P on data-parallel axes");
    return false;
  }
}
}  // namespace detail

/// Runs reverse-mode differentiation of `loss` (I or P on every mesh axis): the seed is a tensor
/// of ones of type grad_t<Loss> (R where the loss is P, I where it is I), then every recorded step
/// runs in reverse. Afterwards every parameter that contributed holds its gradient.
template <typed_tensor Loss>
void backward(var<Loss> const& loss) {
  static_assert(fill_constructible<typename Loss::local_type>,
                "spmd: autograd::backward: the local tensor type has no constructor L(shape, value), which "
                "makes the seed of ones (docs/local_tensors.md, differentiable_tensor)");
  constexpr bool ok = all_axes<typename Loss::mesh_type, typename Loss::layout_type>(
      []<class Axis, class Pl>() { return detail::loss_placement_ok<Axis, Pl>(); });
  if constexpr (ok) {
    if (loss.tape() == nullptr) return;  // a constant: nothing to differentiate
    using L = typename Loss::local_type;
    loss.accumulate(grad_t<Loss>{L(loss.value().local().shape(), typename L::value_type{1})});
    loss.tape()->run_backward();
  }
}

}  // namespace spmd::autograd
