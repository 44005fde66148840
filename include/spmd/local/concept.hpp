// spmd/local/concept.hpp - what a per-rank ("local") tensor must provide to be wrapped by spmd::tensor.
#pragma once

#include <concepts>
#include <cstddef>

namespace spmd {

/// A per-rank tensor: an element type, a rank fixed at compile time, a shape and contiguous data.
/// The numeric kernels an op needs (add, matmul, sum, ...) are free functions found by
/// argument-dependent lookup; a local type that lacks one simply does not support that op.
template <class T>
concept local_tensor = std::copyable<T> && requires(T const& t) {
  typename T::value_type;
  { T::rank } -> std::convertible_to<std::size_t>;
  { t.shape() };
  { t.shape()[0] } -> std::convertible_to<std::size_t>;
  { t.data() };
};

}  // namespace spmd
