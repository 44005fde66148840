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

/// A per-rank tensor: an element type, a rank fixed at compile time, a shape and its data. This is
/// all the typing needs. The numeric kernels an op needs (add, matmul, sum, ...) are free functions
/// found by argument-dependent lookup; a local type that lacks one simply does not support that op.
/// The collectives need more (buffer_tensor, row_major_tensor: spmd/local/buffer.hpp), and so does
/// autograd (differentiable_tensor: spmd/local/differentiable.hpp).
template <class T>
concept local_tensor = std::copyable<T> && requires(T const& t) {
  typename T::value_type;
  { T::rank } -> std::convertible_to<std::size_t>;
  { t.shape() };
  { t.shape()[0] } -> std::convertible_to<std::size_t>;
  { t.data() };
};

}  // namespace spmd
