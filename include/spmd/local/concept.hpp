// spmd/local/concept.hpp - what a per-rank ("local") tensor must provide to be wrapped by spmd::tensor.
#pragma once

#include <concepts>
#include <cstddef>
#include <type_traits>

namespace spmd {

/// Whether T is a plain number for the typed ops: an operand of `x * 2`, `pow(x, p)` and of the
/// constants the backwards multiply by. True for the arithmetic types; a local tensor type whose
/// element type is not arithmetic (a bfloat16 class, say) specialises it for that type, e.g.
/// `template <> inline constexpr bool spmd::enable_number<c10::BFloat16> = true;`.
template <class T>
inline constexpr bool enable_number = std::is_arithmetic_v<T>;

/// A plain number operand (see enable_number).
template <class T>
concept number = enable_number<std::remove_cvref_t<T>>;

namespace detail {
template <class T>
concept has_ndim = requires {
  { T::ndim } -> std::convertible_to<std::size_t>;
};
template <class T>
concept has_rank_only = !has_ndim<T> && requires {
  { T::rank } -> std::convertible_to<std::size_t>;  // deprecated spelling of ndim
};

// The route of a type that still names its number of dims `rank`: a warning at the place the
// library reads it, once per type (our own types provide ndim and never come here).
template <class T>
[[deprecated("spmd: a local tensor type's static `rank` is deprecated: name it `ndim`")]] constexpr std::size_t
rank_as_ndim() {
  return T::rank;  // the deprecated member
}
template <class T>
constexpr std::size_t local_ndim_of() {
  if constexpr (has_ndim<T>)
    return T::ndim;
  else
    return rank_as_ndim<T>();
}
}  // namespace detail

/// The number of dims of a local tensor type: `T::ndim`, or `T::rank` (deprecated) for a type that
/// provides only that. The library reads a local type's number of dims through this trait only.
template <class T>
inline constexpr std::size_t local_ndim = detail::local_ndim_of<T>();

/// A per-rank tensor: an element type, a number of dims fixed at compile time (`static constexpr
/// std::size_t ndim`), a shape and its data. This is all the typing needs. The numeric kernels an
/// op needs (add, matmul, sum, ...) are free functions found by argument-dependent lookup; a local
/// type that lacks one simply does not support that op. The collectives need more (buffer_tensor,
/// row_major_tensor: spmd/local/buffer.hpp), and so does autograd (differentiable_tensor:
/// spmd/local/differentiable.hpp). A type that names its number of dims `rank` is still accepted
/// (deprecated: the library warns where it reads it).
// (clang-format 14 misreads a parenthesised disjunction in a concept)
// clang-format off
template <class T>
concept local_tensor = std::copyable<T> && (detail::has_ndim<T> || detail::has_rank_only<T>) && requires(T const& t) {
  typename T::value_type;
  { t.shape() };
  { t.shape()[0] } -> std::convertible_to<std::size_t>;
  { t.data() };
};
// clang-format on

}  // namespace spmd
