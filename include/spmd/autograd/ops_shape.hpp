// spmd/autograd/ops_shape.hpp - differentiable softmax, reductions and views on autograd::var:
// softmax<d>, sum<d>, mean<d>, reshape, unsqueeze<d>, squeeze<d>, concat<d>.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <spmd/autograd/ops.hpp>
#include <spmd/comm/convert.hpp>
#include <spmd/rules/out_partial.hpp>

namespace spmd::autograd {

namespace detail {
/// The gradient `g` of a contraction's P result (R where it was declared P by `OutPartial`) as
/// the V pieces each rank differentiates its own shard with: reinterpret(R, V) on the axes of
/// `OutPartial` where the input `A` varies - the backward of the forward's reinterpret(V, P).
template <typed_tensor A, class OutPartial, std::size_t Axis = 0, typed_tensor G>
auto unpartial(G g) {
  using mesh = typename A::mesh_type;
  if constexpr (Axis == mesh::rank) {
    return g;
  } else {
    constexpr auto name = mesh::template name<Axis>;
    using in = placement_at_t<typename A::layout_type, Axis>;
    using at = placement_at_t<typename G::layout_type, Axis>;
    if constexpr (OutPartial::names(name.view()) && kind_of<in> == placement_kind::varying &&
                  kind_of<at> == placement_kind::replicate)
      return unpartial<A, OutPartial, Axis + 1>(spmd::reinterpret<name, R, V>(std::move(g), expert));
    else
      return unpartial<A, OutPartial, Axis + 1>(std::move(g));
  }
}
}  // namespace detail

/// Softmax along dim D; backward y * (g - sum_D(g * y)) (the local softmax_backward kernel).
template <int D, typed_tensor A>
auto softmax(var<A> const& a) {
  return detail::record_unary(a, spmd::softmax<D>(a.value()), [](auto const& g, auto const&, auto const& y) {
    return std::remove_cvref_t<decltype(g)>{softmax_backward(y.local(), g.local(), std::size_t{D})};  // found by ADL
  });
}

/// Sum over dim D, which disappears (linear: P stays P); backward: g spread along D. A trailing
/// `out_partial<axes...>` is passed on to spmd::sum (the sum over a dim sharded on those axes).
template <int D, typed_tensor A, class OutPartial = no_out_partial>
auto sum(var<A> const& a, OutPartial op = {}) {
  static_assert(out_partial_spec<OutPartial>, "spmd: sum<D>(x, p): p must be out_partial<\"axis\", ...>");
  auto out = [&] {
    if constexpr (std::is_same_v<OutPartial, no_out_partial>)
      return spmd::sum<D>(a.value());
    else
      return spmd::sum<D>(a.value(), op);
  }();
  return detail::record_unary(a, std::move(out), [](auto const& g, auto const& x, auto const&) {
    return detail::expand(detail::unpartial<A, OutPartial>(spmd::unsqueeze<D>(g)), x);
  });
}

/// Mean over dim D, which disappears (linear); backward: g / n spread along D.
template <int D, typed_tensor A>
auto mean(var<A> const& a) {
  return detail::record_unary(a, spmd::mean<D>(a.value()), [](auto const& g, auto const& x, auto const&) {
    auto const n = static_cast<typename A::value_type>(x.local().shape()[D]);
    return detail::expand(spmd::unsqueeze<D>(g), x) / n;
  });
}

/// The same elements with extents `shape` (linear); backward: g reshaped back.
template <typed_tensor A, std::size_t NewRank>
auto reshape(var<A> const& a, std::array<std::size_t, NewRank> const& shape) {
  return detail::record_unary(a, spmd::reshape(a.value(), shape), [](auto const& g, auto const& x, auto const&) {
    return spmd::reshape(g, x.local().shape());
  });
}

/// A dim of extent 1 inserted at D; backward: squeeze<D>.
template <int D, typed_tensor A>
auto unsqueeze(var<A> const& a) {
  return detail::record_unary(a, spmd::unsqueeze<D>(a.value()),
                              [](auto const& g, auto const&...) { return spmd::squeeze<D>(g); });
}

/// Dim D (of extent 1) removed; backward: unsqueeze<D>.
template <int D, typed_tensor A>
auto squeeze(var<A> const& a) {
  return detail::record_unary(a, spmd::squeeze<D>(a.value()),
                              [](auto const& g, auto const&...) { return spmd::unsqueeze<D>(g); });
}

/// a and b concatenated along dim D (linear); backward: g's two pieces along D (local narrow).
template <int D, typed_tensor A, typed_tensor B>
auto concat(var<A> const& a, var<B> const& b) {
  auto piece = [](auto const& g, std::size_t start, std::size_t length) {
    return std::remove_cvref_t<decltype(g)>{narrow(g.local(), std::size_t{D}, start, length)};  // found by ADL
  };
  return detail::record_binary(
      a, b, spmd::concat<D>(a.value(), b.value()),
      [piece](auto const& g, auto const& x, auto const&...) { return piece(g, 0, x.local().shape()[D]); },
      [piece](auto const& g, auto const& x, auto const& y, auto const&) {
        return piece(g, x.local().shape()[D], y.local().shape()[D]);
      });
}

}  // namespace spmd::autograd
