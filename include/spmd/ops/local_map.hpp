// spmd/ops/local_map.hpp - the checked way out of the typed world and back in: local_map.
//
// Constructing a typed tensor from a local tensor is a claim the compiler cannot check (right for
// inputs and loaded checkpoints). Inside a program, code the rules cannot see (a kernel of your
// own, a library call) runs through local_map: the call states the layout of every argument,
// checked against the argument's type, and the layout of the result, which is then a claim made
// at one visible place.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <spmd/core/meta.hpp>
#include <spmd/ops/define.hpp>
#include <spmd/tensor.hpp>

namespace spmd {

/// The stated layouts of local_map's arguments, in order.
template <class... Layouts>
struct layouts {};

/// A local function and, for autograd variables, its backward: `backward(g, y, x...)` takes the
/// local gradient of the result, the local result and the local arguments, and returns the local
/// gradient of each argument (one local tensor, or a std::tuple of one per argument).
template <class Forward, class Backward = void>
struct local_fn {
  Forward forward;
  Backward backward;
};
template <class Forward>
struct local_fn<Forward, void> {
  Forward forward;
};
template <class Forward, class Backward>
local_fn(Forward, Backward) -> local_fn<Forward, Backward>;
template <class Forward>
local_fn(Forward) -> local_fn<Forward, void>;

namespace detail {

template <class T>
struct is_local_fn : std::false_type {};
template <class F, class B>
struct is_local_fn<local_fn<F, B>> : std::true_type {};

template <class Fn>
decltype(auto) forward_of(Fn const& fn) {
  if constexpr (is_local_fn<Fn>::value)
    return (fn.forward);
  else
    return (fn);
}

template <class Stated, class Actual>
consteval bool stated_layout_holds() {
  using stated = tensor<typename Actual::local_type, typename Actual::mesh_type, Stated>;
  return std::is_same_v<stated, Actual>;
}

/// One static_assert per argument whose type is not the stated one.
template <std::size_t I, class Stated, class Actual>
consteval bool argument_as_stated() {
  constexpr bool ok = stated_layout_holds<Stated, Actual>();
  static_assert(ok,
                "spmd: local_map: an argument's layout differs from the one the call states (the "
                "argument's index, stated layout and type are shown below); state its real layout, or "
                "convert it first with a collective");
  return ok;
}

template <class In, class... Xs>
struct local_map_checks;
template <class... Stated, class... Xs>
struct local_map_checks<layouts<Stated...>, Xs...> {
  static consteval bool valid() {
    if constexpr (sizeof...(Stated) != sizeof...(Xs)) {
      static_assert(sizeof...(Stated) == sizeof...(Xs),
                    "spmd: local_map<layouts<...>, Out>: state one layout per argument");
      return false;
    } else if constexpr (!(typed_tensor<Xs> && ...)) {
      static_assert((typed_tensor<Xs> && ...), "spmd: local_map takes typed tensors (or autograd variables)");
      return false;
    } else if constexpr (!same_mesh<Xs...>()) {
      return false;
    } else {
      return [&]<std::size_t... Is>(std::index_sequence<Is...>) {
        // Every argument is checked (no short-circuit), so that each wrong one is reported.
        return ((argument_as_stated<Is, Stated, bare<Xs>>() ? 0 : 1) + ... + 0) == 0;
      }
      (std::index_sequence_for<Xs...>{});
    }
  }
};

}  // namespace detail

/// Runs `fn` on the local tensors of `xs...`, whose layouts the call states (`In`, a layouts<...>;
/// each is checked against the argument's type), and wraps its result as a tensor placed `Out` on
/// the arguments' mesh. `fn` is a callable or a local_fn{forward, backward}; with autograd
/// variables (<spmd/autograd.hpp>), the backward is required.
template <class In, class Out, class Fn, class... Xs>
auto local_map(Fn const& fn, Xs&&... xs) {
  if constexpr ((extended_operand<std::remove_cvref_t<Xs>> || ...)) {
    return local_map_variables<In, Out>(op_tag<void>{}, fn, std::forward<Xs>(xs)...);  // found by ADL
  } else {
    using first = detail::bare<std::tuple_element_t<0, std::tuple<Xs...>>>;
    using mesh = typename first::mesh_type;
    if constexpr (!detail::local_map_checks<In, detail::bare<Xs>...>::valid()) {
      return basic_tensor<typename first::local_type, mesh, ill_typed_layout_t<mesh>>{};
    } else {
      auto out = detail::forward_of(fn)(std::forward<Xs>(xs).local()...);
      return tensor<decltype(out), mesh, Out>(std::move(out));
    }
  }
}

}  // namespace spmd
