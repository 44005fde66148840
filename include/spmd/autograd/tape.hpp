// spmd/autograd/tape.hpp - the tape, typed variables and parameters of reverse-mode autograd.
//
// A variable holds a typed tensor and, after backward, a gradient whose type is grad_t of the
// tensor's type: the compiler checks that every backward step produces exactly that type. The
// tape records one closure per op (not per element); backward runs them in reverse order.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include <spmd/core/grad.hpp>
#include <spmd/rules/layout_change.hpp>
#include <spmd/tensor.hpp>

namespace spmd::autograd {

/// The record of one forward pass: one backward step per op, run in reverse by `backward`.
class tape {
 public:
  tape() = default;
  tape(tape const&) = delete;
  tape& operator=(tape const&) = delete;

  /// Appends a backward step (called once, in reverse order of recording).
  void record(std::function<void()> step) { steps_.push_back(std::move(step)); }
  /// Runs the recorded steps in reverse and forgets them.
  void run_backward() {
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) (*it)();
    steps_.clear();
  }
  /// Number of recorded steps.
  [[nodiscard]] std::size_t size() const noexcept { return steps_.size(); }
  /// Forgets the recorded steps without running them.
  void clear() noexcept { steps_.clear(); }

 private:
  std::vector<std::function<void()>> steps_;
};

namespace detail {
/// A value and its accumulated gradient, shared by the variables that refer to it.
template <class T>
struct node {
  T value;
  std::optional<grad_t<T>> grad;
  bool requires_grad = false;
};
}  // namespace detail

/// A typed tensor in a differentiated computation. Its gradient, once computed, has the type
/// `grad_t<T>` (R <-> P, I, V, S<d> kept).
template <typed_tensor T>
class var {
 public:
  using tensor_type = T;
  using grad_type = grad_t<T>;

  /// A constant: no gradient is computed for it.
  explicit var(T value) : node_(std::make_shared<detail::node<T>>(detail::node<T>{std::move(value), {}, false})) {}

  /// A variable of another layout never converts: as for tensors, this constructor exists only to
  /// say why, naming each mesh axis that differs and the fix, when a program returns, passes or
  /// assigns a variable of the wrong layout.
  template <class Other>
    requires(!std::is_same_v<Other, T> && std::is_same_v<typename Other::local_type, typename T::local_type> &&
             std::is_same_v<typename Other::mesh_type, typename T::mesh_type>)
  var(var<Other> const&) {  // NOLINT: implicit on purpose
    static_cast<void>(rules::implicit_layout_change<typename T::mesh_type, typename Other::layout_type,
                                                    typename T::layout_type>);
  }

  /// The value.
  [[nodiscard]] T const& value() const noexcept { return node_->value; }
  /// True if a gradient flows to this variable.
  [[nodiscard]] bool requires_grad() const noexcept { return node_->requires_grad; }
  /// True once backward has given this variable a gradient.
  [[nodiscard]] bool has_grad() const noexcept { return node_->grad.has_value(); }
  /// The gradient (std::logic_error if there is none).
  [[nodiscard]] grad_type const& grad() const {
    if (!node_->grad) throw std::logic_error("spmd: autograd: this variable has no gradient (was backward run?)");
    return *node_->grad;
  }
  /// Adds `g` to the gradient: fan-out accumulates. The type must be exactly grad_t<T>.
  void accumulate(grad_type g) const {
    if (!node_->requires_grad) return;
    if (node_->grad)
      *node_->grad = *node_->grad + g;
    else
      node_->grad = std::move(g);
  }

  /// The tape this variable's computation is recorded on (null for a constant).
  [[nodiscard]] autograd::tape* tape() const noexcept { return tape_; }

  /// A variable with a fresh node, recorded on `t` when `requires_grad`.
  static var make(T value, bool requires_grad, autograd::tape* t) {
    var v(std::move(value));
    v.node_->requires_grad = requires_grad;
    v.tape_ = t;
    return v;
  }
  /// A variable sharing `node` (used by parameter).
  var(std::shared_ptr<detail::node<T>> node, autograd::tape& t) : node_(std::move(node)), tape_(&t) {}

 private:
  std::shared_ptr<detail::node<T>> node_;
  autograd::tape* tape_ = nullptr;
};

/// A trained tensor: its value persists across steps; `on(tape)` gives the variable that a
/// forward pass uses, and after backward `grad()` holds its gradient, of type grad_t<T>.
template <typed_tensor T>
class parameter {
 public:
  using tensor_type = T;
  using grad_type = grad_t<T>;

  explicit parameter(T value)
      : node_(std::make_shared<detail::node<T>>(detail::node<T>{std::move(value), {}, true})) {}

  /// The variable of this parameter for a forward pass recorded on `t`.
  [[nodiscard]] autograd::var<T> on(tape& t) const { return autograd::var<T>(node_, t); }
  [[nodiscard]] T& value() noexcept { return node_->value; }
  [[nodiscard]] T const& value() const noexcept { return node_->value; }
  [[nodiscard]] bool has_grad() const noexcept { return node_->grad.has_value(); }
  [[nodiscard]] grad_type const& grad() const {
    if (!node_->grad) throw std::logic_error("spmd: autograd: this parameter has no gradient (was backward run?)");
    return *node_->grad;
  }
  /// Takes the gradient out (leaving none), e.g. to reduce it across data-parallel ranks.
  [[nodiscard]] grad_type take_grad() {
    static_cast<void>(grad());  // throws if there is none
    grad_type g = std::move(*node_->grad);
    node_->grad.reset();
    return g;
  }
  /// Forgets the gradient.
  void zero_grad() noexcept { node_->grad.reset(); }

 private:
  std::shared_ptr<detail::node<T>> node_;
};

/// The result of an op: a new variable holding `value`; if any input requires a gradient, the
/// tape gets a step that calls `backward(gradient of the result)` when the result has one.
template <typed_tensor Out, class Backward>
var<Out> record(tape* t, Out value, bool requires_grad, Backward backward) {
  requires_grad = requires_grad && t != nullptr;
  auto out = var<Out>::make(std::move(value), requires_grad, t);
  if (requires_grad)
    t->record([out, backward = std::move(backward)]() mutable {
      if (out.has_grad()) backward(out.grad());
    });
  return out;
}

/// The tape of the first of `vs` that has one (null if all are constants).
template <class... Vs>
tape* tape_of(Vs const&... vs) {
  tape* t = nullptr;
  ((t = t ? t : vs.tape()), ...);
  return t;
}

}  // namespace spmd::autograd
