// spmd/ops/view.hpp - typed shape ops: transpose, reshape, unsqueeze, squeeze, narrow, concat.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

#include <spmd/ops/detail/kernel_call.hpp>
#include <spmd/ops/elementwise.hpp>

// The kernel names the definitions below call (ops/detail/kernel_call.hpp).
namespace spmd::detail::kernel {
SPMD_DETAIL_KERNEL(transpose)
SPMD_DETAIL_KERNEL(reshape)
SPMD_DETAIL_KERNEL(unsqueeze)
SPMD_DETAIL_KERNEL(squeeze)
SPMD_DETAIL_KERNEL(narrow)
SPMD_DETAIL_KERNEL(concat)
}  // namespace spmd::detail::kernel

namespace spmd {

namespace op {

template <int A, int B>
struct transpose {
  static constexpr std::string_view name = "transpose";
  static constexpr auto linearity = spmd::linearity::linear;
  using dims = rules::swap_dims<A, B>;
  template <class X>
  static consteval bool check() {
    constexpr bool ok = detail::dim_in_range<A, X::ndim> && detail::dim_in_range<B, X::ndim>;
    static_assert(ok, "spmd: transpose<A, B>: A and B must be dims of the tensor");
    return ok;
  }
  static auto kernel(auto&& x) {
    return detail::kernel::transpose_fn{}(std::forward<decltype(x)>(x), static_cast<std::size_t>(A),
                                          static_cast<std::size_t>(B));
  }
  template <std::size_t>
  static auto backward(auto const& g, auto const&...) {
    return spmd::apply<transpose>(g);
  }
};

struct reshape {
  static constexpr std::string_view name = "reshape";
  static constexpr auto linearity = spmd::linearity::linear;
  using dims = rules::reshape_dims;
  static constexpr detail::kernel::reshape_fn kernel{};
  template <std::size_t>
  static auto backward(auto const& g, auto const&, auto const& x, auto const&) {
    return spmd::apply<reshape>(g, x.local().shape());
  }
};

template <int Dim>
struct squeeze;
template <int Dim>
struct concat;

template <int Dim>
struct unsqueeze {
  static constexpr std::string_view name = "unsqueeze";
  static constexpr auto linearity = spmd::linearity::linear;
  using dims = rules::unsqueeze_dims<Dim>;
  template <class X>
  static consteval bool check() {
    constexpr bool ok = Dim >= 0 && static_cast<std::size_t>(Dim) <= X::ndim;
    static_assert(ok, "spmd: unsqueeze<Dim>: Dim must be at most the tensor's number of dims");
    return ok;
  }
  static auto kernel(auto&& x) {
    return detail::kernel::unsqueeze_fn{}(std::forward<decltype(x)>(x), static_cast<std::size_t>(Dim));
  }
  template <std::size_t>
  static auto backward(auto const& g, auto const&...) {
    return spmd::apply<squeeze<Dim>>(g);
  }
};

template <int Dim>
struct squeeze {
  static constexpr std::string_view name = "squeeze";
  static constexpr auto linearity = spmd::linearity::linear;
  using dims = rules::squeeze_dims<Dim>;
  template <class X>
  static consteval bool check() {
    static_assert(detail::dim_in_range<Dim, X::ndim>, "spmd: squeeze<Dim>: Dim must be a dim of the tensor");
    return detail::dim_in_range<Dim, X::ndim>;
  }
  static auto kernel(auto&& x) {
    return detail::kernel::squeeze_fn{}(std::forward<decltype(x)>(x), static_cast<std::size_t>(Dim));
  }
  template <std::size_t>
  static auto backward(auto const& g, auto const&...) {
    return spmd::apply<unsqueeze<Dim>>(g);
  }
};

/// `length` entries from `start` along `Dim`. A shard along `Dim` no longer lines up (a plain V);
/// shards along the other dims are kept.
template <int Dim>
struct narrow {
  static constexpr std::string_view name = "narrow";
  static constexpr auto linearity = spmd::linearity::linear;
  using dims = rules::concat_dims<Dim>;
  template <class X, class... Extents>
  static consteval bool check() {
    static_assert(detail::dim_in_range<Dim, X::ndim>, "spmd: narrow<Dim>: Dim must be a dim of the tensor");
    return detail::dim_in_range<Dim, X::ndim>;
  }
  static auto kernel(auto&& x, std::size_t start, std::size_t length) {
    return detail::kernel::narrow_fn{}(std::forward<decltype(x)>(x), static_cast<std::size_t>(Dim), start, length);
  }
  /// g in its place along Dim, zeros around it.
  template <std::size_t, class G, class X>
  static auto backward(G const& g, auto const&, X const& x, std::size_t start, std::size_t length) {
    using L = typename G::local_type;
    auto zeros = [&](std::size_t n) {
      auto shape = x.local().shape();
      shape[Dim] = n;
      return G{L(shape, typename L::value_type{0})};
    };
    std::size_t const rest = x.local().shape()[Dim] - start - length;
    return spmd::apply<concat<Dim>>(spmd::apply<concat<Dim>>(zeros(start), g), zeros(rest));
  }
};

template <int Dim>
struct concat {
  static constexpr std::string_view name = "concat";
  static constexpr auto linearity = spmd::linearity::linear;
  static constexpr std::size_t arity = 2;
  using dims = rules::concat_dims<Dim>;
  template <class X, class Y>
  static consteval bool check() {
    static_assert(detail::dim_in_range<Dim, X::ndim>, "spmd: concat<Dim>: Dim must be a dim of the tensors");
    return detail::dim_in_range<Dim, X::ndim>;
  }
  static auto kernel(auto&& a, auto&& b) {
    return detail::kernel::concat_fn{}(std::forward<decltype(a)>(a), std::forward<decltype(b)>(b),
                                       static_cast<std::size_t>(Dim));
  }
  /// Each operand's piece of g along Dim.
  template <std::size_t I>
  static auto backward(auto const& g, auto const&, auto const& a, auto const& b) {
    std::size_t const na = a.local().shape()[Dim];
    if constexpr (I == 0)
      return spmd::apply<narrow<Dim>>(g, std::size_t{0}, na);
    else
      return spmd::apply<narrow<Dim>>(g, na, static_cast<std::size_t>(b.local().shape()[Dim]));
  }
};

}  // namespace op

/// Swaps tensor dims `A` and `B` (linear). An S on either dim moves with it.
template <int A, int B, op_operand T>
auto transpose(T&& x) {
  return op_fn<op::transpose<A, B>>{}(std::forward<T>(x));
}

/// Gives the local piece the extents `shape` (linear). Extents are run-time
/// values, so the type cannot tell which dim survives: an S<d> becomes a plain V.
template <op_operand T, std::size_t NewNdim>
auto reshape(T&& x, std::array<std::size_t, NewNdim> const& shape) {
  return op_fn<op::reshape>{}(std::forward<T>(x), shape);
}

/// Inserts a dim of extent 1 at `Dim` (linear). S on a later dim is renumbered.
template <int Dim, op_operand T>
auto unsqueeze(T&& x) {
  return op_fn<op::unsqueeze<Dim>>{}(std::forward<T>(x));
}

/// Removes dim `Dim`, whose extent must be 1 (linear). S on a later dim is renumbered.
template <int Dim, op_operand T>
auto squeeze(T&& x) {
  return op_fn<op::squeeze<Dim>>{}(std::forward<T>(x));
}

/// The entries [start, start + length) along `Dim` (linear); a
/// shard along `Dim` becomes a plain V.
template <int Dim, op_operand T>
auto narrow(T&& x, std::size_t start, std::size_t length) {
  return op_fn<op::narrow<Dim>>{}(std::forward<T>(x), start, length);
}

/// Concatenates a and b along tensor dim `Dim` (linear: both P, or neither). Shards along `Dim`
/// no longer line up (the result is a plain V); shards along other dims are kept.
template <int Dim, op_operand A, op_operand B>
auto concat(A&& a, B&& b) {
  return op_fn<op::concat<Dim>>{}(std::forward<A>(a), std::forward<B>(b));
}

}  // namespace spmd
