// spmd/autograd/ops.hpp - differentiable versions of the typed elementwise ops and matmul on
// autograd::var (reductions, views and einsum: ops_shape.hpp).
//
// Each backward is written with the same typed ops as the forward, so the compiler checks the
// layout of every gradient; `as_grad` accepts only the communication-free step from V pieces to
// the P gradient of an R input.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <spmd/autograd/as_grad.hpp>
#include <spmd/autograd/tape.hpp>
#include <spmd/core/meta.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/local/kernels.hpp>
#include <spmd/ops/elementwise.hpp>
#include <spmd/ops/matmul.hpp>
#include <spmd/ops/reduce.hpp>
#include <spmd/ops/view.hpp>

namespace spmd::autograd {

namespace detail {
template <class T>
struct is_var : std::false_type {};
template <class T>
struct is_var<var<T>> : std::true_type {};

/// `g` reduced over the dims along which `like` was broadcast, as a tensor of g's type.
template <class G, class Like>
G unbroadcast(G g, Like const& like) {
  if (g.local().shape() == like.local().shape()) return g;
  return G{sum_to_shape(std::move(g).local(), like.local().shape())};  // found by ADL
}

/// `t` broadcast (along its extents of 1) to the shape of `like`, as a tensor of t's type: t plus
/// zeros of its own type, so every placement is kept.
template <typed_tensor T, typed_tensor Like>
T expand(T const& t, Like const& like) {
  using L = typename T::local_type;
  return T{L(like.local().shape(), typename L::value_type{0})} + t;
}

/// The type of a tensor of ones that spreads the gradient of a sum over all of T's elements:
/// sharded like T and I where T is I, R elsewhere, so that `ones * g` has T's gradient type.
template <typed_tensor T>
using ones_like_t = basic_tensor<
    typename T::local_type, typename T::mesh_type,
    typename decltype(map_axes<typename T::mesh_type, typename T::layout_type>([]<class Axis, class Pl>() {
      if constexpr (shard_placement<Pl> || std::is_same_v<Pl, I>)
        return std::type_identity<Pl>{};
      else
        return std::type_identity<R>{};
    }))::type>;

/// Adds `make()` (x's local gradient, a typed tensor) to x's gradient as grad_t<T>; `make` runs
/// only if x needs a gradient.
template <typed_tensor T, class Make>
void flow(var<T> const& x, Make make) {
  if (x.requires_grad()) x.accumulate(as_grad<grad_t<T>>(make()));
}

/// The variable of an op's result `value` computed from `in...`; in backward, `step(g, value)`
/// runs with the result's gradient g (so a backward can use the result, e.g. exp's).
template <typed_tensor Out, class Step, class... Ts>
var<Out> record_step(Out value, Step step, var<Ts> const&... in) {
  if constexpr (has_ill_typed<typename Out::layout_type>) {
    return var<Out>{std::move(value)};  // the forward was rejected and has said why: no backward
  } else {
    tape* t = tape_of(in...);
    bool const needed = (in.requires_grad() || ...) && t != nullptr;
    auto out = var<Out>::make(std::move(value), needed, t);
    if (needed)
      t->record([out, step = std::move(step)]() mutable {
        if (out.has_grad()) step(out.grad(), out.value());
      });
    return out;
  }
}

/// A one-input op: `grad(g, x, y)` is the local gradient of x from the result's gradient g, the
/// input's value x and the result y.
template <typed_tensor A, typed_tensor Out, class Grad>
var<Out> record_unary(var<A> const& a, Out value, Grad grad) {
  auto step = [a, grad](auto const& g, Out const& y) { flow(a, [&] { return grad(g, a.value(), y); }); };
  return record_step(std::move(value), std::move(step), a);
}

/// A two-input op: `grad_a(g, a, b, y)` and `grad_b(g, a, b, y)` are the inputs' local gradients.
template <typed_tensor A, typed_tensor B, typed_tensor Out, class GradA, class GradB>
var<Out> record_binary(var<A> const& a, var<B> const& b, Out value, GradA grad_a, GradB grad_b) {
  auto step = [a, b, grad_a, grad_b](auto const& g, Out const& y) {
    flow(a, [&] { return grad_a(g, a.value(), b.value(), y); });
    flow(b, [&] { return grad_b(g, a.value(), b.value(), y); });
  };
  return record_step(std::move(value), std::move(step), a, b);
}

/// The gradient passed through unchanged (a number added to or subtracted from a variable).
inline constexpr auto pass = [](auto const& g, auto const&...) { return g; };
}  // namespace detail

/// True for autograd::var types.
template <class T>
concept variable = detail::is_var<std::remove_cvref_t<T>>::value;

// ---- unary -----------------------------------------------------------------------------------

/// -a (linear: P stays P).
template <typed_tensor A>
auto neg(var<A> const& a) {
  return detail::record_unary(a, spmd::neg(a.value()), [](auto const& g, auto const&...) { return -g; });
}
template <typed_tensor A>
auto operator-(var<A> const& a) {
  return neg(a);
}

/// e^a; backward g * e^a.
template <typed_tensor A>
auto exp(var<A> const& a) {
  return detail::record_unary(a, spmd::exp(a.value()), [](auto const& g, auto const&, auto const& y) { return g * y; });
}

/// log a; backward g / a.
template <typed_tensor A>
auto log(var<A> const& a) {
  return detail::record_unary(a, spmd::log(a.value()), [](auto const& g, auto const& x, auto const&) { return g / x; });
}

/// tanh a; backward g * (1 - tanh^2 a).
template <typed_tensor A>
auto tanh(var<A> const& a) {
  return detail::record_unary(a, spmd::tanh(a.value()), [](auto const& g, auto const&, auto const& y) {
    return g * (typename A::value_type{1} - y * y);
  });
}

/// sqrt a; backward g / (2 sqrt a).
template <typed_tensor A>
auto sqrt(var<A> const& a) {
  return detail::record_unary(a, spmd::sqrt(a.value()), [](auto const& g, auto const&, auto const& y) {
    return g / (y * typename A::value_type{2});
  });
}

/// GELU (tanh approximation).
template <typed_tensor A>
auto gelu(var<A> const& a) {
  // gelu is non-linear, so neither the input nor its gradient can be a pending sum.
  return detail::record_unary(a, spmd::gelu(a.value()), [](auto const& g, auto const& x, auto const&) {
    return std::remove_cvref_t<decltype(g)>{gelu_backward(x.local(), g.local())};  // found by ADL
  });
}

/// max(x, 0).
template <typed_tensor A>
auto relu(var<A> const& a) {
  return detail::record_unary(a, spmd::relu(a.value()), [](auto const& g, auto const& x, auto const&) {
    return std::remove_cvref_t<decltype(g)>{relu_backward(x.local(), g.local())};  // found by ADL
  });
}

// ---- binary ----------------------------------------------------------------------------------

/// a + b (broadcasting extents of 1).
template <typed_tensor A, typed_tensor B>
auto operator+(var<A> const& a, var<B> const& b) {
  return detail::record_binary(
      a, b, a.value() + b.value(), [](auto const& g, auto const& x, auto const&...) { return detail::unbroadcast(g, x); },
      [](auto const& g, auto const&, auto const& y, auto const&) { return detail::unbroadcast(g, y); });
}

/// a - b (broadcasting extents of 1).
template <typed_tensor A, typed_tensor B>
auto operator-(var<A> const& a, var<B> const& b) {
  return detail::record_binary(
      a, b, a.value() - b.value(), [](auto const& g, auto const& x, auto const&...) { return detail::unbroadcast(g, x); },
      [](auto const& g, auto const&, auto const& y, auto const&) { return detail::unbroadcast(-g, y); });
}

/// a * b elementwise (broadcasting extents of 1).
template <typed_tensor A, typed_tensor B>
auto operator*(var<A> const& a, var<B> const& b) {
  return detail::record_binary(
      a, b, a.value() * b.value(),
      [](auto const& g, auto const& x, auto const& y, auto const&) { return detail::unbroadcast(g * y, x); },
      [](auto const& g, auto const& x, auto const& y, auto const&) { return detail::unbroadcast(g * x, y); });
}

/// a / b elementwise (broadcasting extents of 1); backward g / b and -g * (a / b) / b.
template <typed_tensor A, typed_tensor B>
auto operator/(var<A> const& a, var<B> const& b) {
  return detail::record_binary(
      a, b, a.value() / b.value(),
      [](auto const& g, auto const& x, auto const& y, auto const&) { return detail::unbroadcast(g / y, x); },
      [](auto const& g, auto const&, auto const& y, auto const& q) { return detail::unbroadcast(-(g * q) / y, y); });
}

// A number on either side adopts the variable's type on every axis (so P + 1.0 does not compile).

/// a + s, s + a, a - s.
template <typed_tensor A>
auto operator+(var<A> const& a, typename A::value_type s) {
  return detail::record_unary(a, a.value() + s, detail::pass);
}
template <typed_tensor A>
auto operator+(typename A::value_type s, var<A> const& a) {
  return detail::record_unary(a, s + a.value(), detail::pass);
}
template <typed_tensor A>
auto operator-(var<A> const& a, typename A::value_type s) {
  return detail::record_unary(a, a.value() - s, detail::pass);
}
/// s - a; backward -g.
template <typed_tensor A>
auto operator-(typename A::value_type s, var<A> const& a) {
  return detail::record_unary(a, s - a.value(), [](auto const& g, auto const&...) { return -g; });
}

/// a * s and s * a; backward g * s.
template <typed_tensor A>
auto operator*(var<A> const& a, typename A::value_type s) {
  return detail::record_unary(a, a.value() * s, [s](auto const& g, auto const&...) { return g * s; });
}
template <typed_tensor A>
auto operator*(typename A::value_type s, var<A> const& a) {
  return a * s;
}

/// a / s; backward g / s.
template <typed_tensor A>
auto operator/(var<A> const& a, typename A::value_type s) {
  return detail::record_unary(a, a.value() / s, [s](auto const& g, auto const&...) { return g / s; });
}
/// s / a; backward -g * (s / a) / a.
template <typed_tensor A>
auto operator/(typename A::value_type s, var<A> const& a) {
  return detail::record_unary(a, s / a.value(), [](auto const& g, auto const& x, auto const& y) { return -(g * y) / x; });
}

// ---- matmul ----------------------------------------------------------------------------------

namespace detail {
/// The out_partial of a backward contraction that gives the gradient of an input of type X from
/// operands Ts...: the axes where that gradient is P (X is R there) and an operand varies, so
/// each rank's product is a piece of the pending sum.
template <std::size_t Axis, class X, class... Ts>
constexpr bool partial_on_axis() {
  return kind_of<placement_at_t<typename grad_t<X>::layout_type, Axis>> == placement_kind::partial &&
         ((kind_of<placement_at_t<typename Ts::layout_type, Axis>> == placement_kind::varying) || ...);
}
template <class X, class... Ts>
struct partial_axes_mask {
  static constexpr auto value = []<std::size_t... Is>(std::index_sequence<Is...>) {
    return std::array<bool, sizeof...(Is)>{partial_on_axis<Is, X, Ts...>()...};
  }(std::make_index_sequence<X::mesh_type::rank>{});
};
template <class X, class... Ts>
using partial_axes_t =
    rules::out_partial_where_t<typename X::mesh_type, partial_axes_mask<X, std::remove_cvref_t<Ts>...>>;

/// spmd::matmul(l, r) as (a piece of) the gradient of an input of type X.
template <typed_tensor X, typed_tensor L, typed_tensor Rt>
auto grad_matmul(L const& l, Rt const& r) {
  return spmd::matmul(l, r, partial_axes_t<X, L, Rt>{});
}

/// Swap of the last two dims.
template <typed_tensor T>
auto mT(T const& x) {
  return spmd::transpose<static_cast<int>(T::rank) - 2, static_cast<int>(T::rank) - 1>(x);
}
/// The rank-2 [rows, last] view of x, all leading dims merged into rows.
template <typed_tensor T>
auto rows_view(T const& x) {
  auto const& s = x.local().shape();
  std::size_t n = 1;
  for (std::size_t d = 0; d + 1 < T::rank; ++d) n *= s[d];
  return spmd::reshape(x, std::array<std::size_t, 2>{n, s[T::rank - 1]});
}
}  // namespace detail

/// The matrix product, batched when a rank is above 2 (as spmd::matmul, for the ranks the local
/// kernels provide: dense has [b,m,k] @ [k,n] and [b,m,k] @ [b,k,n]); `out_partial<axes...>` as for
/// spmd::matmul. A rank-2 b against a batched a gets the gradient of all rows at once. The
/// gradient of an R input that met a varying operand is declared P (partial_axes_t).
template <typed_tensor A, typed_tensor B, class OutPartial = no_out_partial>
auto matmul(var<A> const& a, var<B> const& b, OutPartial op = {}) {
  auto out = spmd::matmul(a.value(), b.value(), op);
  constexpr std::size_t rank = decltype(out)::rank;
  static_assert(A::rank == rank && (B::rank == rank || B::rank == 2),
                "spmd: autograd::matmul: a batched right operand needs a left operand of the same rank");
  return detail::record_binary(
      a, b, std::move(out),
      [](auto const& g, auto const& x, auto const& y, auto const&) {
        return detail::unbroadcast(detail::grad_matmul<A>(g, detail::mT(y)), x);
      },
      [](auto const& g, auto const& x, auto const& y, auto const&) {
        if constexpr (B::rank == rank)
          return detail::unbroadcast(detail::grad_matmul<B>(detail::mT(x), g), y);
        else  // b met every row of the batched a: one [k, rows] @ [rows, n] product
          return detail::grad_matmul<B>(spmd::transpose<0, 1>(detail::rows_view(x)), detail::rows_view(g));
      });
}

/// Sum over all elements of a rank-2 tensor, as a [1, 1] tensor (linear: P stays P). On an axis
/// where `a` is sharded the local sum is a partial sum: the result is P there.
template <typed_tensor A>
auto sum_all(var<A> const& a) {
  static_assert(A::rank == 2, "spmd: autograd::sum_all takes a rank-2 tensor");
  auto rows = spmd::sum<1>(a.value(), out_partial_over_shards_t<A, 1>{});
  auto out = spmd::unsqueeze<0>(spmd::unsqueeze<0>(spmd::sum<0>(rows, out_partial_over_shards_t<decltype(rows), 0>{})));
  // d(sum)/da = 1 everywhere: g spread over a's shape, as ones * g with the ones sharded like a
  // (and whole where a is not sharded), so that the product has a's gradient type.
  return detail::record_unary(a, std::move(out), [](auto const& g, auto const& x, auto const&) {
    using L = typename A::local_type;
    detail::ones_like_t<A> const ones{L(x.local().shape(), typename L::value_type{1})};
    return ones * g;
  });
}

/// Swap of dims D0 and D1.
template <int D0, int D1, typed_tensor A>
auto transpose(var<A> const& a) {
  return detail::record_unary(a, spmd::transpose<D0, D1>(a.value()),
                              [](auto const& g, auto const&...) { return spmd::transpose<D0, D1>(g); });
}

namespace detail {
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
}  // namespace detail

// clang-format off
template <typed_tensor A, typed_tensor B> auto operator+(var<A> const&, B const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator+(B const&, var<A> const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator-(var<A> const&, B const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator-(B const&, var<A> const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator*(var<A> const&, B const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator*(B const&, var<A> const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator/(var<A> const&, B const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B> auto operator/(B const&, var<A> const&) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B, class OutPartial = no_out_partial>
auto matmul(var<A> const&, B const&, OutPartial = {}) { return detail::mixed_operands<A, B>(); }
template <typed_tensor A, typed_tensor B, class OutPartial = no_out_partial>
auto matmul(B const&, var<A> const&, OutPartial = {}) { return detail::mixed_operands<A, B>(); }
// clang-format on

}  // namespace spmd::autograd
