// spmd/autograd/apply.hpp - applies an op definition to autograd variables.
//
// The forward is spmd::apply on the variables' values; the tape step calls the definition's
// `backward<I>` for every operand I that is a variable, and `as_grad` checks that each result has
// exactly the gradient type of its operand (docs/ops.md, docs/autograd.md).
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <spmd/autograd/as_grad.hpp>
#include <spmd/autograd/tape.hpp>
#include <spmd/core/meta.hpp>
#include <spmd/ops/define.hpp>

namespace spmd {
template <class T>
inline constexpr bool extended_operand<autograd::var<T>> = true;
}  // namespace spmd

namespace spmd::autograd {

namespace detail {
template <class T>
struct is_var : std::false_type {};
template <class T>
struct is_var<var<T>> : std::true_type {};

/// The value an op computes with: a variable's tensor, or the argument itself.
template <class T>
decltype(auto) value_of(T const& x) {
  if constexpr (is_var<T>::value)
    return (x.value());
  else
    return (x);
}

/// Adds `make()` (x's local gradient, a typed tensor) to x's gradient as grad_t<T>; `make` runs
/// only if x needs a gradient.
template <typed_tensor T, class Make>
void flow(var<T> const& x, Make make) {
  if (x.requires_grad()) x.accumulate(as_grad<grad_t<T>>(make()));
}

/// An op given a variable and a plain typed tensor: the tensor is not on the tape, so its role in
/// the gradient is unknown. One error that says how to make it a constant variable.
template <class A, class B>
auto mixed_operands() {
  static_assert(spmd::detail::always_false<A, B>,
                "spmd: autograd: an op mixes an autograd::var and a plain typed tensor; make the tensor a "
                "constant variable (autograd::var<T>{t}) or a parameter (parameter.on(tape)), or use "
                "x.value() for a computation outside autograd");
  return var<A>{A{}};
}

template <class Def, std::size_t I, class G, class Y, class... Args>
concept has_backward = requires(G const& g, Y const& y, Args const&... args) {
  Def::template backward<I>(g, y, value_of(args)...);
};

/// Runs the backward of operand I of `Def`, if that operand is a variable.
template <class Def, std::size_t I, class G, class Y, class... Args>
void operand_backward(G const& g, Y const& y, Args const&... args) {
  using arg = std::remove_cvref_t<std::tuple_element_t<I, std::tuple<Args...>>>;
  if constexpr (is_var<arg>::value) {
    static_assert(has_backward<Def, I, G, Y, Args...>,
                  "spmd: autograd: this op's definition has no backward<I>(g, y, operands..., attributes...) "
                  "for one of its operands; define it, or compute outside autograd with x.value()");
    if constexpr (has_backward<Def, I, G, Y, Args...>)
      flow(std::get<I>(std::tie(args...)), [&] { return Def::template backward<I>(g, y, value_of(args)...); });
  }
}

template <class Def, class G, class Y, std::size_t... Is, class... Args>
void backward_of_operands(std::index_sequence<Is...>, G const& g, Y const& y, Args const&... args) {
  (operand_backward<Def, Is>(g, y, args...), ...);
}

template <class... Args>
tape* first_tape(Args const&... args) {
  tape* t = nullptr;
  auto one = [&]<class A>(A const& a) {
    if constexpr (is_var<A>::value)
      if (t == nullptr) t = a.tape();
  };
  (one(args), ...);
  return t;
}

template <class... Args>
bool any_requires_grad(Args const&... args) {
  auto one = []<class A>(A const& a) {
    if constexpr (is_var<A>::value)
      return a.requires_grad();
    else
      return false;
  };
  return (one(args) || ...);
}

template <class... Ts>
struct first_plain_tensor {
  using type = void;
};
template <class T, class... Ts>
struct first_plain_tensor<T, Ts...> {
  using type = std::conditional_t<typed_tensor<T>, T, typename first_plain_tensor<Ts...>::type>;
};
template <class... Ts>
struct first_var_tensor {
  using type = void;
};
template <class T, class... Ts>
struct first_var_tensor<T, Ts...> {
  using type = typename first_var_tensor<Ts...>::type;
};
template <class T, class... Ts>
struct first_var_tensor<var<T>, Ts...> {
  using type = T;
};
}  // namespace detail

/// Applies op `Def` to variables (and numbers and attributes): the result is a variable whose
/// backward runs the definition's `backward<I>` for each variable operand.
// (clang-format 14 misreads a fold expression in a constraint)
// clang-format off
template <class Def, class... Args>
  requires((detail::is_var<Args>::value || !extended_operand<Args>) && ...)  // other layers' operands: theirs
auto apply_op(op_tag<Def>, Args const&... args) {
  // clang-format on
  using plain = typename detail::first_plain_tensor<std::remove_cvref_t<Args>...>::type;
  using variable = typename detail::first_var_tensor<std::remove_cvref_t<Args>...>::type;
  if constexpr (!std::is_void_v<plain>) {
    return detail::mixed_operands<variable, plain>();
  } else {
    auto value = spmd::apply<Def>(detail::value_of(args)...);
    using Out = decltype(value);
    if constexpr (has_ill_typed<typename Out::layout_type>) {
      return var<Out>{std::move(value)};  // the forward was rejected and has said why: no backward
    } else {
      tape* const t = detail::first_tape(args...);
      bool const needed = t != nullptr && detail::any_requires_grad(args...);
      auto out = var<Out>::make(std::move(value), needed, t);
      if (needed)
        t->record([out, args...]() {
          if (out.has_grad())
            detail::backward_of_operands<Def>(std::make_index_sequence<op_arity<Def>>{}, out.grad(), out.value(),
                                              args...);
        });
      return out;
    }
  }
}

/// Applies op `Def` to variables: `autograd::apply<Def>(x, ...)`, as spmd::apply for tensors.
template <class Def, class... Args>
auto apply(Args const&... args) {
  return apply_op(op_tag<Def>{}, args...);
}

}  // namespace spmd::autograd
