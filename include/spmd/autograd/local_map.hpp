// spmd/autograd/local_map.hpp - local_map on autograd variables (ops/local_map.hpp).
//
// The forward is local_map on the values; the tape step runs the local_fn's backward on the local
// gradient, result and arguments, and gives each variable argument its local gradient as the
// gradient type of its stated layout (grad_t): a claim made at the same place as the forward's.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <spmd/autograd/apply.hpp>
#include <spmd/core/grad.hpp>
#include <spmd/ops/local_map.hpp>

namespace spmd::autograd {

namespace detail {
template <class Fn>
inline constexpr bool has_local_backward = false;
template <class F, class B>
inline constexpr bool has_local_backward<local_fn<F, B>> = !std::is_void_v<B>;

/// The local gradient of argument I from what the backward returned (one tensor, or a tuple).
template <std::size_t I, std::size_t N, class Grads>
decltype(auto) local_grad(Grads&& grads) {
  if constexpr (N == 1 && !requires { std::tuple_size<std::remove_cvref_t<Grads>>::value; })
    return std::forward<Grads>(grads);
  else
    return std::get<I>(std::forward<Grads>(grads));
}
}  // namespace detail

/// local_map of variables: the forward on their values, the backward of `fn` (a local_fn) on the tape.
template <class In, class Out, class Fn, class... Xs>
auto local_map_variables(op_tag<void>, Fn const& fn, Xs const&... xs) {
  using plain = typename detail::first_plain_tensor<std::remove_cvref_t<Xs>...>::type;
  using variable = typename detail::first_var_tensor<std::remove_cvref_t<Xs>...>::type;
  if constexpr (!std::is_void_v<plain>) {
    return detail::mixed_operands<variable, plain>();
  } else {
    static_assert(detail::has_local_backward<Fn>,
                  "spmd: local_map on autograd variables needs a backward: pass "
                  "local_fn{forward, backward}, backward(g, y, x...) returning each argument's local gradient");
    auto value = spmd::local_map<In, Out>(fn, xs.value()...);
    using Y = decltype(value);
    if constexpr (!detail::has_local_backward<Fn> || has_ill_typed<typename Y::layout_type>) {
      return var<Y>{std::move(value)};
    } else {
      tape* const t = detail::first_tape(xs...);
      bool const needed = t != nullptr && detail::any_requires_grad(xs...);
      auto out = var<Y>::make(std::move(value), needed, t);
      if (needed)
        t->record([out, fn, xs...]() {
          if (!out.has_grad()) return;
          auto grads = fn.backward(out.grad().local(), out.value().local(), xs.value().local()...);
          [&]<std::size_t... Is>(std::index_sequence<Is...>) {
            auto one = [&]<std::size_t I, class X>(var<X> const& x) {
              detail::flow(x, [&] { return grad_t<X>{detail::local_grad<I, sizeof...(Xs)>(grads)}; });
            };
            (one.template operator()<Is>(xs), ...);
          }
          (std::index_sequence_for<Xs...>{});
        });
      return out;
    }
  }
}

}  // namespace spmd::autograd
