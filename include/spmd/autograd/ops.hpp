// spmd/autograd/ops.hpp - differentiable versions of the typed ops on autograd::var.
//
// Each backward is written with the same typed ops as the forward, so the compiler checks the
// layout of every gradient; `as_grad` accepts only the communication-free step from V pieces to
// the P gradient of an R input.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <spmd/autograd/as_grad.hpp>
#include <spmd/autograd/tape.hpp>
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
  return G{local::sum_to_shape(std::move(g).local(), like.local().shape())};
}

template <class T>
bool needs(var<T> const& v) {
  return v.requires_grad();
}
}  // namespace detail

/// True for autograd::var types.
template <class T>
concept variable = detail::is_var<std::remove_cvref_t<T>>::value;

/// a + b (broadcasting extents of 1).
template <typed_tensor A, typed_tensor B>
auto operator+(var<A> const& a, var<B> const& b) {
  auto out = a.value() + b.value();
  using Out = decltype(out);
  return record(tape_of(a, b), std::move(out), a.requires_grad() || b.requires_grad(), [a, b](grad_t<Out> const& g) {
    a.accumulate(as_grad<grad_t<A>>(detail::unbroadcast(g, a.value())));
    b.accumulate(as_grad<grad_t<B>>(detail::unbroadcast(g, b.value())));
  });
}

/// a - b (broadcasting extents of 1).
template <typed_tensor A, typed_tensor B>
auto operator-(var<A> const& a, var<B> const& b) {
  auto out = a.value() - b.value();
  using Out = decltype(out);
  return record(tape_of(a, b), std::move(out), a.requires_grad() || b.requires_grad(), [a, b](grad_t<Out> const& g) {
    a.accumulate(as_grad<grad_t<A>>(detail::unbroadcast(g, a.value())));
    b.accumulate(as_grad<grad_t<B>>(detail::unbroadcast(-g, b.value())));
  });
}

/// a * b elementwise (broadcasting extents of 1).
template <typed_tensor A, typed_tensor B>
auto operator*(var<A> const& a, var<B> const& b) {
  auto out = a.value() * b.value();
  using Out = decltype(out);
  return record(tape_of(a, b), std::move(out), a.requires_grad() || b.requires_grad(), [a, b](grad_t<Out> const& g) {
    if (a.requires_grad()) a.accumulate(as_grad<grad_t<A>>(detail::unbroadcast(g * b.value(), a.value())));
    if (b.requires_grad()) b.accumulate(as_grad<grad_t<B>>(detail::unbroadcast(g * a.value(), b.value())));
  });
}

/// a * s for a number s.
template <typed_tensor A>
auto operator*(var<A> const& a, typename A::value_type s) {
  auto out = a.value() * s;
  using Out = decltype(out);
  return record(tape_of(a), std::move(out), a.requires_grad(),
                [a, s](grad_t<Out> const& g) { a.accumulate(as_grad<grad_t<A>>(g * s)); });
}
template <typed_tensor A>
auto operator*(typename A::value_type s, var<A> const& a) {
  return a * s;
}

/// The matrix product; `out_partial<axes...>` as for spmd::matmul.
template <typed_tensor A, typed_tensor B, class OutPartial = no_out_partial>
auto matmul(var<A> const& a, var<B> const& b, OutPartial op = {}) {
  static_assert(A::rank == 2 && B::rank == 2, "spmd: autograd::matmul takes rank-2 operands");
  auto out = spmd::matmul(a.value(), b.value(), op);
  using Out = decltype(out);
  return record(tape_of(a, b), std::move(out), a.requires_grad() || b.requires_grad(), [a, b](grad_t<Out> const& g) {
    // Each gradient contracts a dim of g; where that dim is sharded, the product is a partial sum
    // (the gradient of an operand that is whole there, P = grad(R)).
    using G = grad_t<Out>;
    if (a.requires_grad())
      a.accumulate(as_grad<grad_t<A>>(
          spmd::matmul(g, transpose<0, 1>(b.value()), out_partial_over_shards_t<G, 1>{})));
    if (b.requires_grad())
      b.accumulate(as_grad<grad_t<B>>(
          spmd::matmul(transpose<0, 1>(a.value()), g, out_partial_over_shards_t<G, 0>{})));
  });
}

/// GELU (tanh approximation).
template <typed_tensor A>
auto gelu(var<A> const& a) {
  auto out = spmd::gelu(a.value());
  using Out = decltype(out);
  return record(tape_of(a), std::move(out), a.requires_grad(), [a](grad_t<Out> const& g) {
    // gelu is non-linear, so neither the input nor its gradient can be a pending sum.
    a.accumulate(as_grad<grad_t<A>>(grad_t<Out>{local::gelu_backward(a.value().local(), g.local())}));
  });
}

/// max(x, 0).
template <typed_tensor A>
auto relu(var<A> const& a) {
  auto out = spmd::relu(a.value());
  using Out = decltype(out);
  return record(tape_of(a), std::move(out), a.requires_grad(), [a](grad_t<Out> const& g) {
    a.accumulate(as_grad<grad_t<A>>(grad_t<Out>{local::relu_backward(a.value().local(), g.local())}));
  });
}

/// Swap of dims D0 and D1.
template <int D0, int D1, typed_tensor A>
auto transpose(var<A> const& a) {
  auto out = spmd::transpose<D0, D1>(a.value());
  using Out = decltype(out);
  return record(tape_of(a), std::move(out), a.requires_grad(),
                [a](grad_t<Out> const& g) { a.accumulate(as_grad<grad_t<A>>(spmd::transpose<D0, D1>(g))); });
}

/// Sum over all elements of a rank-2 tensor, as a [1, 1] tensor (linear: P stays P). On an axis
/// where `a` is sharded the local sum is a partial sum: the result is P there.
template <typed_tensor A>
auto sum_all(var<A> const& a) {
  static_assert(A::rank == 2, "spmd: autograd::sum_all takes a rank-2 tensor");
  auto rows = spmd::sum<1>(a.value(), out_partial_over_shards_t<A, 1>{});
  auto out = spmd::unsqueeze<0>(spmd::unsqueeze<0>(spmd::sum<0>(rows, out_partial_over_shards_t<decltype(rows), 0>{})));
  using Out = decltype(out);
  return record(tape_of(a), std::move(out), a.requires_grad(), [a](grad_t<Out> const& g) {
    // d(sum)/da = 1 everywhere: g spread over a's shape, as ones * g with the ones sharded like a
    // (and whole where a is not sharded), so that the product has a's gradient type.
    using L = typename A::local_type;
    using ones_t = basic_tensor<L, typename A::mesh_type, typename decltype(map_axes<typename A::mesh_type, typename A::layout_type>(
                                                              []<class Axis, class Pl>() {
                                                                if constexpr (shard_placement<Pl> || std::is_same_v<Pl, I>)
                                                                  return std::type_identity<Pl>{};
                                                                else
                                                                  return std::type_identity<R>{};
                                                              }))::type>;
    ones_t ones{L(a.value().local().shape(), typename L::value_type{1})};
    a.accumulate(as_grad<grad_t<A>>(ones * g));
  });
}

}  // namespace spmd::autograd
