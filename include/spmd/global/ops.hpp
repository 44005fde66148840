// spmd/global/ops.hpp - every typed op on global tensors: relu(x), matmul(a, b, out_partial<"tp">),
// einsum<"...">(x, w), sum<1>(x), transpose<0, 1>(x), a + b, ...
//
// An op on global tensors is the same op on their local typed tensors (the local rule, the
// kernel), preceded by the global rule (global/propagate.hpp) and followed by the result's spec
// and global extents. The named ops reach it through op_fn (ops/define.hpp): global tensors are
// extended operands, and `apply_op` below is found by argument-dependent lookup.
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <spmd/core/layout.hpp>
#include <spmd/global/plan.hpp>
#include <spmd/global/propagate.hpp>
#include <spmd/global/spec.hpp>
#include <spmd/global/tensor.hpp>
#include <spmd/ops/define.hpp>
#include <spmd/ops/elementwise.hpp>
#include <spmd/tensor.hpp>

namespace spmd {
template <class T, class S>
inline constexpr bool extended_operand<global::basic_global_tensor<T, S>> = true;
}  // namespace spmd

namespace spmd::global {

namespace detail {
template <class T>
using bare = std::remove_cvref_t<T>;

/// What the global rule knows of an argument.
template <class Mesh, class T>
constexpr operand_spec<Mesh::axis_count> operand_spec_of() {
  operand_spec<Mesh::axis_count> s;
  if constexpr (spmd::global_typed_tensor<T>) {
    s.tensor = true;
    s.ndim = static_cast<int>(bare<T>::ndim);
    s.axes = spec_entries<Mesh, typename bare<T>::spec_type>::value;
  }
  return s;
}

/// A global tensor's local typed tensor; any other argument as it is.
template <class T>
decltype(auto) erased(T&& x) {
  if constexpr (spmd::global_typed_tensor<T>)
    return (std::forward<T>(x).typed());
  else
    return std::forward<T>(x);
}

template <class T>
struct erased_type {
  using type = T;
};
template <class T, class S>
struct erased_type<basic_global_tensor<T, S>> {
  using type = T;
};
/// The type of a global tensor's local typed tensor; any other type itself.
template <class T>
using erased_t = typename erased_type<bare<T>>::type;

template <class T>
inline constexpr bool is_local_operand = spmd::typed_tensor<T> ||
                                         (spmd::extended_operand<bare<T>> && !is_global<bare<T>>);

/// True for a global tensor whose ranks hold autograd variables.
template <class T>
concept holds_variable =
    is_global<bare<T>> && !std::is_same_v<typename bare<T>::inner_type, typename bare<T>::tensor_type>;

/// The first global tensor type among `Ts...`.
template <class... Ts>
struct first_global;
template <class T, class... Ts>
struct first_global<T, Ts...> {
  using type = std::conditional_t<is_global<bare<T>>, bare<T>, typename first_global<Ts...>::type>;
};
template <>
struct first_global<> {
  using type = void;
};

/// The global tensor of a result the rules rejected (they have said why): no data, nothing sharded.
template <std::size_t>
using whole_dim = on<>;
template <class Tensor>
auto rejected_global() {
  return []<std::size_t... Ds>(std::index_sequence<Ds...>) {
    return basic_global_tensor<Tensor, spec<whole_dim<Ds>...>>{};
  }
  (std::make_index_sequence<Tensor::ndim>{});
}

/// The spec of a result of `Ndim` dims from the verdict's per-axis entries.
template <class Mesh, std::size_t Ndim, auto const& Out>
using result_spec = typename canonical<Mesh, Ndim, Out>::spec_type;

/// True if `Layout` is what the result entries `Out` erase to: S<d> exactly on the axes of dim d.
template <class Layout, auto const& Out>
consteval bool erases_to() {
  auto const& placements = placement_values<Layout>;
  for (std::size_t k = 0; k < Out.size(); ++k)
    if (Out[k].dim >= 0 ? placements[k] != placement_value{placement_kind::varying, Out[k].dim}
                        : !whole_kind(placements[k].kind))
      return false;
  return true;
}

[[noreturn]] inline void extent_error(std::string_view op, std::string const& what) {
  throw std::invalid_argument("spmd: " + std::string(op) + ": " + what);
}

/// The result's global extents along the dims the operands' dims are kept into; checks, before
/// the kernel runs, that kept dims agree (a whole dim of extent 1 broadcasts) and that contracted
/// dims match.
template <std::size_t Ndim>
struct kept_extents {
  std::array<std::size_t, Ndim> extent{};
  std::array<bool, Ndim> from_operand{};  // false: a dim no operand dim is kept into (its local extent)
};

template <class Def, class DimMap, std::size_t OutNdim, class... Args>
kept_extents<OutNdim> result_extents(Args const&... args) {
  using rules::dim_fate;
  kept_extents<OutNdim> k;
  auto& out = k.extent;
  auto& from_operand = k.from_operand;
  constexpr std::string_view name = spmd::op_name<Def>;
  // First pass: the extent each kept dim gets from the operands (the largest: 1 broadcasts).
  std::size_t i = 0;
  auto visit = [&](auto const& x, auto&& fn) {
    if constexpr (spmd::global_typed_tensor<decltype(x)>) {
      using X = bare<decltype(x)>;
      constexpr auto axes = spec_entries<typename X::mesh_type, typename X::spec_type>::value;
      for (std::size_t d = 0; d < X::ndim; ++d) fn(x, i, d, sharded(axes, static_cast<int>(d)));
    }
    ++i;
  };
  std::array<bool, OutNdim> sharded_out{};  // some operand shards the dim kept into it
  (visit(args,
         [&](auto const& x, std::size_t op, std::size_t d, bool is_sharded) {
           dim_fate const f = DimMap::fate(op, static_cast<int>(d));
           if (f.kind != dim_fate::kept) return;
           auto const o = static_cast<std::size_t>(f.index);
           std::size_t const e = x.global_shape()[d];
           if (!from_operand[o] || out[o] == 1) out[o] = e;
           from_operand[o] = true;
           sharded_out[o] = sharded_out[o] || is_sharded;
         }),
   ...);
  i = 0;
  (visit(args,
         [&](auto const& x, std::size_t op, std::size_t d, bool is_sharded) {
           dim_fate const f = DimMap::fate(op, static_cast<int>(d));
           std::size_t const e = x.global_shape()[d];
           if (f.kind == dim_fate::kept) {
             auto const o = static_cast<std::size_t>(f.index);
             if (!is_sharded && sharded_out[o] && e != 1)
               extent_error(name, "operand " + std::to_string(op) + " is whole along dim " + std::to_string(d) +
                                      " (global extent " + std::to_string(e) +
                                      ") where another operand is sharded; a whole operand broadcasts only along a "
                                      "dim of extent 1: give it the same spec (global::redistribute)");
             if (e != out[o] && (e != 1 || is_sharded))
               extent_error(name, "operand " + std::to_string(op) + " has global extent " + std::to_string(e) +
                                      " along dim " + std::to_string(d) + " where the result has " +
                                      std::to_string(out[o]) +
                                      "; only a dim that is not sharded and has extent 1 broadcasts");
           } else if (f.kind == dim_fate::contracted) {
             std::size_t j = 0;
             auto partner = [&](auto const& y) {
               if constexpr (spmd::global_typed_tensor<decltype(y)>) {
                 int const dj = j == op ? -1 : rules::detail::contracted_dim_of<DimMap>(j, f.index);
                 if (dj >= 0 && y.global_shape()[static_cast<std::size_t>(dj)] != e)
                   extent_error(name, "the contracted dims have global extents " + std::to_string(e) + " and " +
                                          std::to_string(y.global_shape()[static_cast<std::size_t>(dj)]));
               }
               ++j;
             };
             (partner(args), ...);
           }
         }),
   ...);
  return k;
}

template <class Def, class... Args>
auto apply_global(Args&&... args) {
  using first = typename first_global<Args...>::type;
  using mesh = typename first::mesh_type;
  constexpr std::size_t n_ops = spmd::op_arity<Def>;
  using operand_types = std::tuple<bare<Args>...>;
  return [&]<std::size_t... Os>(std::index_sequence<Os...>) {
    using dims = spmd::op_dims_t<Def, tensor_of_t<erased_t<std::tuple_element_t<Os, operand_types>>>...>;
    static constexpr std::array<operand_spec<mesh::axis_count>, n_ops> specs{
        operand_spec_of<mesh, std::tuple_element_t<Os, operand_types>>()...};
    static constexpr propagation<mesh::axis_count> verdict = propagate<dims>(specs);
    if constexpr (verdict.error != propagation_error::none) {
      static_cast<void>(propagation_check<Def, verdict>);
      using erased_result = tensor_of_t<decltype(op_fn<Def>{}(erased(std::forward<Args>(args))...))>;
      using rejected = basic_tensor<typename erased_result::local_type, mesh, ill_typed_layout_t<mesh>>;
      return rejected_global<rejected>();
    } else {
      using Inner = decltype(op_fn<Def>{}(erased(std::forward<Args>(args))...));  // a tensor or a variable
      using Out = tensor_of_t<Inner>;
      if constexpr (has_ill_typed<typename Out::layout_type>) {
        return rejected_global<Out>();  // the local rule has said why
      } else {
        static constexpr auto out_axes = [] {
          auto a = verdict.out;  // the dims; the placements of the other axes are the local result's
          constexpr auto const& values = placement_values<typename Out::layout_type>;
          for (std::size_t k = 0; k < mesh::axis_count; ++k)
            if (a[k].dim < 0) a[k].whole = values[k].kind;
          return a;
        }();
        static_assert(erases_to<typename Out::layout_type, out_axes>(),
                      "spmd: global: the local result's layout and the propagated spec disagree (please report)");
        auto kept = [&]<std::size_t... Ks>(std::index_sequence<Ks...>) {
          auto const& all = std::forward_as_tuple(args...);
          return result_extents<Def, dims, Out::ndim>(std::get<Ks>(all)...);
        }
        (std::make_index_sequence<n_ops>{});
        Inner out = op_fn<Def>{}(erased(std::forward<Args>(args))...);
        auto extents = kept.extent;
        using result = basic_global_tensor<Inner, result_spec<mesh, Out::ndim, out_axes>>;
        for (std::size_t o = 0; o < Out::ndim; ++o)
          if (!kept.from_operand[o])
            extents[o] = static_cast<std::size_t>(detail::inner_traits<Inner>::value(out).local().shape()[o]);
        return result(std::move(out), extents);
      }
    }
  }
  (std::make_index_sequence<n_ops>{});
}
}  // namespace detail

/// Applies op `Def` to global tensors (and numbers and attributes); found by argument-dependent
/// lookup from op_fn. Mixing a global tensor with a local typed tensor or variable is refused.
template <class Def, class... Args>
  requires(detail::is_global<std::remove_cvref_t<Args>> || ...)
auto apply_op(op_tag<Def>, Args&&... args) {
  constexpr bool mixed = (detail::is_local_operand<Args> || ...);
  static_assert(!mixed,
                "spmd: global: an op mixes a global tensor with a local typed tensor; make the local one global "
                "(global::from_local) or take the local view of the global one (global::to_local)");
  constexpr bool any_var = ((detail::is_global<std::remove_cvref_t<Args>> && detail::holds_variable<Args>) || ...);
  constexpr bool any_tensor = ((detail::is_global<std::remove_cvref_t<Args>> && !detail::holds_variable<Args>) || ...);
  static_assert(mixed || !(any_var && any_tensor),
                "spmd: global: an op mixes a global variable and a global tensor; make the tensor a constant "
                "variable (global::constant(x)), or use global::value(v) for a computation outside autograd");
  if constexpr (mixed || (any_var && any_tensor)) {
    using first = typename detail::first_global<Args...>::type;
    return basic_global_tensor<basic_tensor<typename first::local_type, typename first::mesh_type,
                                            ill_typed_layout_t<typename first::mesh_type>>,
                               typename first::spec_type>{};
  } else {
    return detail::apply_global<Def>(std::forward<Args>(args)...);
  }
}

namespace detail {
template <class T>
concept global_or_number = spmd::global_typed_tensor<T> || spmd::number<T>;
// A local operand beside a global one is accepted here only for apply_op to diagnose it.
template <class T>
concept any_operand = global_or_number<T> || spmd::op_operand<T>;
template <class A, class B>
concept global_binary = (spmd::global_typed_tensor<A> && any_operand<B>) ||
                        (any_operand<A> && !spmd::global_typed_tensor<A> && spmd::global_typed_tensor<B>);
}  // namespace detail

/// -x.
template <spmd::global_typed_tensor T>
auto operator-(T&& x) {
  return apply_op(op_tag<op::neg>{}, std::forward<T>(x));
}
/// a + b: the same spec on both (a whole operand broadcasts along dims of extent 1), or a number.
template <class A, class B>
  requires detail::global_binary<A, B>
auto operator+(A&& a, B&& b) {
  return apply_op(op_tag<op::add>{}, std::forward<A>(a), std::forward<B>(b));
}
/// a - b.
template <class A, class B>
  requires detail::global_binary<A, B>
auto operator-(A&& a, B&& b) {
  return apply_op(op_tag<op::sub>{}, std::forward<A>(a), std::forward<B>(b));
}
/// a * b, elementwise.
template <class A, class B>
  requires detail::global_binary<A, B>
auto operator*(A&& a, B&& b) {
  return apply_op(op_tag<op::mul>{}, std::forward<A>(a), std::forward<B>(b));
}
/// a / b, elementwise.
template <class A, class B>
  requires detail::global_binary<A, B>
auto operator/(A&& a, B&& b) {
  return apply_op(op_tag<op::div>{}, std::forward<A>(a), std::forward<B>(b));
}

}  // namespace spmd::global
