// spmd/ops/detail/checks.hpp - checks shared by the typed ops, made at the user's call.
#pragma once

#include <concepts>
#include <cstddef>
#include <type_traits>

#include <spmd/rules/layout_rule.hpp>
#include <spmd/tensor.hpp>

namespace spmd::detail {

template <class T>
using bare = std::remove_cvref_t<T>;

/// An operand of an elementwise op: a typed tensor or a plain number.
template <class T>
concept tensor_or_scalar = typed_tensor<T> || std::is_arithmetic_v<bare<T>>;

template <class T>
struct operand_traits {  // a plain number
  using mesh = void;
  using layout = rules::scalar_layout;
};
template <typed_tensor T>
struct operand_traits<T> {
  using mesh = typename bare<T>::mesh_type;
  using layout = typename bare<T>::layout_type;
};

template <class A, class B>
struct common_mesh {
  using type = std::conditional_t<std::is_void_v<typename operand_traits<A>::mesh>, typename operand_traits<B>::mesh,
                                  typename operand_traits<A>::mesh>;
};

/// Both operands are tensors of one mesh (a number operand has no mesh and fits any).
template <class A, class B>
consteval bool same_mesh() {
  using ma = typename operand_traits<A>::mesh;
  using mb = typename operand_traits<B>::mesh;
  return std::is_void_v<ma> || std::is_void_v<mb> || std::same_as<ma, mb>;
}

template <class T>
decltype(auto) local_of(T&& x) {
  if constexpr (typed_tensor<T>)
    return (std::forward<T>(x).local());
  else
    return std::forward<T>(x);
}

/// A number operand converted to the element type of the tensor operand.
template <class Other, class T>
decltype(auto) local_operand(T&& x) {
  if constexpr (typed_tensor<T>)
    return (std::forward<T>(x).local());
  else
    return static_cast<typename bare<Other>::value_type>(x);
}

template <int Dim, std::size_t Rank>
inline constexpr bool dim_in_range = Dim >= 0 && static_cast<std::size_t>(Dim) < Rank;

}  // namespace spmd::detail
