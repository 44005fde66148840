// spmd/ops/define.hpp - how an op is defined once and applied to typed tensors.
//
// An op definition is a class with static members (docs/ops.md):
//   name       a string, for printing;
//   linearity  how the op treats pending sums (rules/linearity.hpp; non-linear if absent);
//   arity      how many leading arguments are operands (tensors or numbers; 1 if absent); the
//              arguments after them are attributes (a dim, an exponent, out_partial<...>);
//   dims       where each operand dim goes in the result (rules/dim_maps.hpp; same_dims if
//              absent), or dims_for<Operands...> when that depends on the operands;
//   check      optional consteval check<Args...>() of the call, with the op's static_asserts;
//   kernel     the local computation: kernel(local operands..., attributes except out_partial);
//   backward   optional, typed code: backward<I>(g, y, operands..., attributes) is the gradient
//              of operand I from the result's gradient g and the result y (autograd/apply.hpp).
// `spmd::apply<Def>(args...)` runs the typing rule (the diagnostics are the rule's), the
// run-time broadcast checks and the kernel; `op_fn<Def>` makes it a callable object that also
// takes autograd variables.
#pragma once

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <spmd/core/fixed_string.hpp>
#include <spmd/core/meta.hpp>
#include <spmd/ops/detail/checks.hpp>
#include <spmd/rules/axis_rule.hpp>
#include <spmd/rules/layout_rule.hpp>
#include <spmd/rules/linearity.hpp>
#include <spmd/rules/out_partial.hpp>
#include <spmd/tensor.hpp>

namespace spmd {

/// The number of operands of op definition `Def` (its `arity`, 1 if it declares none).
template <class Def>
inline constexpr std::size_t op_arity = [] {
  if constexpr (requires { Def::arity; })
    return static_cast<std::size_t>(Def::arity);
  else
    return std::size_t{1};
}();

namespace detail {
template <class Def, class... Operands>
consteval auto dims_choice() {
  if constexpr (requires { typename Def::template dims_for<Operands...>; })
    return std::type_identity<typename Def::template dims_for<Operands...>>{};
  else if constexpr (requires { typename Def::dims; })
    return std::type_identity<typename Def::dims>{};
  else
    return std::type_identity<rules::same_dims>{};
}

template <class Def, class... Args>
consteval bool call_checked() {
  if constexpr (requires { Def::template check<Args...>(); })
    return Def::template check<Args...>();
  else
    return true;
}

template <class... Ts>
struct last_of {
  using type = void;
};
template <class T, class... Ts>
struct last_of<T, Ts...> {
  using type = typename std::tuple_element_t<sizeof...(Ts), std::tuple<T, Ts...>>;
};
}  // namespace detail

/// The dim map of op `Def` applied to operands of types `Operands...`.
template <class Def, class... Operands>
using op_dims_t = typename decltype(detail::dims_choice<Def, detail::bare<Operands>...>())::type;

/// The printable name of op `Def` ("op" if it declares none).
template <class Def>
inline constexpr std::string_view op_name = [] {
  if constexpr (requires { Def::name; })
    return std::string_view(Def::name);
  else
    return std::string_view("op");
}();

namespace detail {

// The arguments of a call, by reference: a light std::tuple (one aggregate, no constructors or
// constraints to instantiate). A std::tuple of each new set of argument types was about half of
// the compile time the typed layer adds to an op on types not seen before.
template <std::size_t I, class T>
struct arg_leaf {
  T&& value;
};
template <class Indices, class... Ts>
struct arg_pack;
template <std::size_t... Is, class... Ts>
struct arg_pack<std::index_sequence<Is...>, Ts...> : arg_leaf<Is, Ts>... {};
/// Argument `I` of an arg_pack, forwarded as it was passed.
template <std::size_t I, class T>
constexpr T&& arg_get(arg_leaf<I, T> const& leaf) noexcept {
  return static_cast<T&&>(leaf.value);
}
template <std::size_t I, class T>
T arg_type_of(arg_leaf<I, T> const&);
/// The type of argument `I` of arg_pack `Pack`, without cv or reference.
template <std::size_t I, class Pack>
using arg_t = bare<decltype(arg_type_of<I>(std::declval<Pack const&>()))>;

/// The result of an op whose rule or check has already said why it is rejected: ill_typed on
/// the rejected axes, no data, so that no follow-up error buries the diagnostic.
template <class Local, class Mesh, class Layout>
auto rejected() {
  return basic_tensor<Local, Mesh, Layout>{};
}

/// The out_partial of a call: its last attribute, if that is an out_partial<...>.
template <class... Attrs>
using call_out_partial_t = std::conditional_t<out_partial_spec<typename last_of<no_out_partial, Attrs...>::type>,
                                              typename last_of<no_out_partial, Attrs...>::type, no_out_partial>;

/// The first typed tensor among `Ts...`.
template <class... Ts>
struct first_tensor;
template <class T, class... Ts>
struct first_tensor<T, Ts...> {
  using type = std::conditional_t<typed_tensor<T>, bare<T>, typename first_tensor<Ts...>::type>;
};
template <>
struct first_tensor<> {
  using type = void;
};

template <class Def, class Tuple, std::size_t... Os, std::size_t... As, std::size_t... Ks>
auto apply_split(Tuple const& args, std::index_sequence<Os...>, std::index_sequence<As...>,
                 std::index_sequence<Ks...>) {
  using operands = std::tuple<arg_t<Os, Tuple>...>;  // a list of types only
  using tensor = typename first_tensor<std::tuple_element_t<Os, operands>...>::type;
  static_assert(!std::is_void_v<tensor>, "spmd: an op needs at least one tensor operand");
  using local = typename tensor::local_type;
  using mesh = typename tensor::mesh_type;
  constexpr std::size_t n_ops = sizeof...(Os);
  using out_partial = call_out_partial_t<arg_t<n_ops + As, Tuple>...>;
  using dims = op_dims_t<Def, std::tuple_element_t<Os, operands>...>;
  if constexpr (!call_checked<Def, arg_t<Os, Tuple>..., arg_t<n_ops + As, Tuple>...>()) {
    return rejected<local, mesh, ill_typed_layout_t<mesh>>();  // the check has said why
  } else if constexpr (!same_mesh<std::tuple_element_t<Os, operands>...>()) {
    return rejected<local, mesh, ill_typed_layout_t<mesh>>();
  } else {
    using rule = rules::op_rule<Def, mesh, dims, out_partial,
                                typename operand_traits<std::tuple_element_t<Os, operands>>::layout...>;
    using out_layout = typename rule::type;
    if constexpr (!rule::valid) {
      static_cast<void>(sizeof(typename rule::diagnosis));  // the rule's static_assert
      return rejected<local, mesh, out_layout>();
    } else {
      constexpr bool has_kernel = requires {
        Def::kernel(local_operand<tensor>(arg_get<Os>(args))..., arg_get<n_ops + Ks>(args)...);
      };
      static_assert(
          has_kernel,
          "spmd: the local tensor types have no kernel for this op (different element types or numbers of dims?); "
          "provide it as a free function found by argument-dependent lookup, or give the op's "
          "definition a kernel that takes these operands (local::dense has its kernels in "
          "<spmd/dense.hpp>)");
      if constexpr (has_kernel) {
        // Only when the layouts call for a run-time check (no empty function per op otherwise).
        if constexpr (n_ops > 1 && broadcast_checks_of<dims, mesh, out_layout, arg_t<Os, Tuple>...>().count > 0)
          check_broadcasts<dims, mesh, out_layout>(arg_get<Os>(args)...);
        // The kernel's result becomes the tensor's local tensor in place (no move per op).
        auto kernel_call = [&] {
          return Def::kernel(local_operand<tensor>(arg_get<Os>(args))..., arg_get<n_ops + Ks>(args)...);
        };
        return basic_tensor<decltype(kernel_call()), mesh, out_layout>(from_result, kernel_call);
      } else {
        return rejected<local, mesh, out_layout>();
      }
    }
  }
}

}  // namespace detail

/// Applies op `Def` to typed tensors (and numbers, where its arity allows) followed by its
/// attributes: the rule gives the result's layout or the diagnostic, the kernel the data.
template <class Def, class... Args>
auto apply(Args&&... args) {
  constexpr std::size_t n_ops = op_arity<Def>;
  if constexpr (sizeof...(Args) < n_ops) {
    // The definition's own check speaks first (einsum: "the spec names a different number of
    // operands"); the result is a rejected tensor, so that no follow-up error buries it.
    constexpr bool checked = detail::call_checked<Def, detail::bare<Args>...>();
    static_assert(!checked, "spmd: an op was called with fewer operands than its arity");
    using tensor = typename detail::first_tensor<detail::bare<Args>...>::type;
    return detail::rejected<typename tensor::local_type, typename tensor::mesh_type,
                            ill_typed_layout_t<typename tensor::mesh_type>>();
  } else {
    constexpr std::size_t n_attrs = sizeof...(Args) - n_ops;
    using attrs = std::tuple<detail::bare<Args>...>;
    constexpr std::size_t n_kernel = [] {
      if constexpr (n_attrs == 0)
        return std::size_t{0};
      else
        return n_attrs - (out_partial_spec<std::tuple_element_t<sizeof...(Args) - 1, attrs>> ? 1 : 0);
    }();
    return detail::apply_split<Def>(
        detail::arg_pack<std::index_sequence_for<Args...>, Args&&...>{{std::forward<Args>(args)}...},
        std::make_index_sequence<n_ops>{}, std::make_index_sequence<n_attrs>{}, std::make_index_sequence<n_kernel>{});
  }
}

/// The tag that carries op definition `Def` to the overloads of `apply_op` that other layers
/// provide (autograd/apply.hpp for variables), found by argument-dependent lookup.
template <class Def>
struct op_tag {};

/// True for argument types whose ops an `apply_op(op_tag<Def>, args...)` overload applies
/// (autograd specialises it for its variables); plain tensors, numbers and attributes are false.
template <class T>
inline constexpr bool extended_operand = false;

/// An operand of a named op: a typed tensor, or a type that another layer extends the ops to
/// (an autograd variable).
template <class T>
concept op_operand = typed_tensor<T> || extended_operand<std::remove_cvref_t<T>>;

namespace detail {
template <class T>
struct operand_value {
  using type = typename bare<T>::value_type;
};
template <class T>
  requires requires {
    typename bare<T>::tensor_type::value_type;
  }
struct operand_value<T> {
  using type = typename bare<T>::tensor_type::value_type;
};
/// The element type of a tensor or a variable: the type of the numbers an op takes next to it.
template <class T>
using operand_value_t = typename operand_value<T>::type;

template <class T>
struct operand_tensor {
  using type = bare<T>;
};
template <class T>
  requires(!typed_tensor<T> && requires { typename bare<T>::tensor_type; })
struct operand_tensor<T> {
  using type = typename bare<T>::tensor_type;
};
/// The typed tensor of an operand: itself, or a variable's tensor type.
template <class T>
using operand_tensor_t = typename operand_tensor<T>::type;
}  // namespace detail

/// An op as a callable object: `inline constexpr op_fn<my_op> my_fn{};` makes `my_fn(x, ...)`
/// apply `my_op` to typed tensors, and (with <spmd/autograd.hpp>) to autograd variables.
template <class Def>
struct op_fn {
  using definition = Def;
  template <class... Args>
  constexpr auto operator()(Args&&... args) const {
    if constexpr (!(extended_operand<std::remove_cvref_t<Args>> || ...))
      return spmd::apply<Def>(std::forward<Args>(args)...);
    else
      return apply_op(op_tag<Def>{}, std::forward<Args>(args)...);  // found by ADL (autograd variables)
  }
};

}  // namespace spmd
