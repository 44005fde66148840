// spmd/autograd/tape.hpp - the tape, typed variables and parameters of reverse-mode autograd.
//
// A variable holds a typed tensor and, after backward, a gradient whose type is grad_t of the
// tensor's type: the compiler checks that every backward step produces exactly that type. The
// tape records one closure per op (not per element), in its own buffer; backward runs them in
// reverse order.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <spmd/core/grad.hpp>
#include <spmd/rules/layout_change.hpp>
#include <spmd/tensor.hpp>

namespace spmd::autograd {

/// The record of one forward pass: one backward step per op, run in reverse by `backward`.
///
/// Each step is stored, with its captures, in the tape's own buffer (a small one inside the tape,
/// then blocks that grow and are kept for reuse after `clear`): recording an op allocates nothing
/// for small tapes, and a step costs one indirect call, without std::function's heap storage.
class tape {
 public:
  tape() = default;
  tape(tape const&) = delete;
  tape& operator=(tape const&) = delete;
  ~tape() {
    clear();
    for (block* b = blocks_; b != nullptr;) {
      block* const next = b->next;
      ::operator delete(static_cast<void*>(b));
      b = next;
    }
  }

  /// Appends a backward step, any callable `step()` (called once, in reverse order of recording,
  /// then destroyed).
  template <class F>
  void record(F&& step) {
    using S = std::decay_t<F>;
    static_assert(std::is_invocable_v<S&>, "spmd: autograd: a tape step must be callable as step()");
    void* const where = allocate(sizeof(stored<S>), alignof(stored<S>));
    last_ = ::new (where) stored<S>{{&run_step<S>, &destroy_step<S>, last_}, S(std::forward<F>(step))};
    ++size_;
  }
  /// Runs the recorded steps in reverse and forgets them (each is destroyed once it has run, so
  /// that what it saved is freed as early as possible).
  void run_backward() {
    while (last_ != nullptr) {
      step* const s = last_;
      last_ = s->prev;
      --size_;
      struct destroy_after {  // also when the step throws
        step* s;
        ~destroy_after() { s->destroy(s); }
      } const guard{s};
      s->run(s);
    }
    rewind();
  }
  /// Number of recorded steps.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// Forgets the recorded steps without running them.
  void clear() noexcept {
    while (last_ != nullptr) {
      step* const s = last_;
      last_ = s->prev;
      s->destroy(s);
    }
    size_ = 0;
    rewind();
  }

 private:
  struct step {
    void (*run)(step*);
    void (*destroy)(step*) noexcept;
    step* prev;
  };
  template <class S>
  struct stored : step {
    S fn;
  };
  template <class S>
  static void run_step(step* s) {
    static_cast<stored<S>*>(s)->fn();
  }
  template <class S>
  static void destroy_step(step* s) noexcept {
    static_cast<stored<S>*>(s)->~stored<S>();
  }

  /// A heap block of the buffer; its bytes follow it.
  struct block {
    block* next;
    std::size_t bytes;
  };
  static constexpr std::size_t inline_bytes = 1024;
  static constexpr std::size_t first_block_bytes = 4096;

  void* allocate(std::size_t size, std::size_t align) {
    for (;;) {
      void* p = cur_;
      auto space = static_cast<std::size_t>(end_ - cur_);
      if (std::align(align, size, p, space) != nullptr) {
        cur_ = static_cast<std::byte*>(p) + size;
        return p;
      }
      next_block(size + align);
    }
  }
  /// Moves to the next heap block with room for `at_least` bytes, reusing the blocks of earlier
  /// passes before allocating a new one (twice the size of the last).
  void next_block(std::size_t at_least) {
    block* b = current_ != nullptr ? current_->next : blocks_;
    while (b != nullptr && b->bytes < at_least) b = b->next;
    if (b == nullptr) {
      std::size_t bytes = tail_ != nullptr ? 2 * tail_->bytes : first_block_bytes;
      if (bytes < at_least) bytes = at_least;
      b = ::new (::operator new(sizeof(block) + bytes)) block{nullptr, bytes};
      (tail_ != nullptr ? tail_->next : blocks_) = b;
      tail_ = b;
    }
    current_ = b;
    cur_ = reinterpret_cast<std::byte*>(b + 1);
    end_ = cur_ + b->bytes;
  }
  /// Starts filling the buffer from its beginning again (no step is stored).
  void rewind() noexcept {
    current_ = nullptr;
    cur_ = inline_;
    end_ = inline_ + inline_bytes;
  }

  step* last_ = nullptr;  // the last recorded step; each links to the one before
  std::size_t size_ = 0;
  std::byte* cur_ = inline_;
  std::byte* end_ = inline_ + inline_bytes;
  block* blocks_ = nullptr;   // the heap blocks, in order of use
  block* tail_ = nullptr;     // the last of them
  block* current_ = nullptr;  // the block being filled (null: inline_)
  alignas(std::max_align_t) std::byte inline_[inline_bytes];
};

namespace detail {
/// A value and its accumulated gradient, shared by the variables that refer to it.
template <class T>
struct node {
  node(T&& v, bool needs_grad) : value(std::move(v)), requires_grad(needs_grad) {}
  T value;
  std::optional<grad_t<T>> grad;
  bool requires_grad = false;

  /// The gradient; std::logic_error naming `holder` ("variable", "parameter") if there is none.
  [[nodiscard]] grad_t<T> const& grad_of(char const* holder) const {
    if (!grad)
      throw std::logic_error(std::string("spmd: autograd: this ") + holder + " has no gradient (was backward run?)");
    return *grad;
  }
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
  explicit var(T value) : node_(std::make_shared<detail::node<T>>(std::move(value), false)) {}

  /// A variable of another layout never converts: as for tensors, this constructor exists only to
  /// say why, naming each mesh axis that differs and the fix, when a program returns, passes or
  /// assigns a variable of the wrong layout.
  template <class Other>
    requires(!std::is_same_v<Other, T> && std::is_same_v<typename Other::local_type, typename T::local_type> &&
             std::is_same_v<typename Other::mesh_type, typename T::mesh_type>)
  var(var<Other> const&) {  // NOLINT: implicit on purpose
    static_cast<void>(
        rules::implicit_layout_change<typename T::mesh_type, typename Other::layout_type, typename T::layout_type>);
  }

  /// The value.
  [[nodiscard]] T const& value() const noexcept { return node_->value; }
  /// True if a gradient flows to this variable.
  [[nodiscard]] bool requires_grad() const noexcept { return node_->requires_grad; }
  /// True once backward has given this variable a gradient.
  [[nodiscard]] bool has_grad() const noexcept { return node_->grad.has_value(); }
  /// The gradient (std::logic_error if there is none).
  [[nodiscard]] grad_type const& grad() const { return node_->grad_of("variable"); }
  /// Adds `g` to the gradient: fan-out accumulates. The type must be exactly grad_t<T>.
  void accumulate(grad_type g) const {
    if (!node_->requires_grad) return;
    if (node_->grad)
      *node_->grad = std::move(*node_->grad) + g;  // the kernels may add into the rvalue's buffer
    else
      node_->grad = std::move(g);
  }

  /// The tape this variable's computation is recorded on (null for a constant).
  [[nodiscard]] autograd::tape* tape() const noexcept { return tape_; }

  /// A variable with a fresh node, recorded on `t` when `requires_grad`.
  static var make(T value, bool requires_grad, autograd::tape* t) {
    return var(std::make_shared<detail::node<T>>(std::move(value), requires_grad), t);
  }
  /// A variable sharing `node` (used by parameter).
  var(std::shared_ptr<detail::node<T>> node, autograd::tape& t) : node_(std::move(node)), tape_(&t) {}

 private:
  var(std::shared_ptr<detail::node<T>> node, autograd::tape* t) : node_(std::move(node)), tape_(t) {}

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

  explicit parameter(T value) : node_(std::make_shared<detail::node<T>>(std::move(value), true)) {}

  /// The variable of this parameter for a forward pass recorded on `t`.
  [[nodiscard]] autograd::var<T> on(tape& t) const { return autograd::var<T>(node_, t); }
  [[nodiscard]] T& value() noexcept { return node_->value; }
  [[nodiscard]] T const& value() const noexcept { return node_->value; }
  [[nodiscard]] bool has_grad() const noexcept { return node_->grad.has_value(); }
  [[nodiscard]] grad_type const& grad() const { return node_->grad_of("parameter"); }
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
