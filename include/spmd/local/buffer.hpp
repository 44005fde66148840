// spmd/local/buffer.hpp - what the collectives need of a local tensor to move its data: the
// concepts buffer_tensor (every collective and convert) and row_major_tensor (those that split
// or join a tensor along a dim), each built from named pieces so that a diagnostic can say which
// one a type lacks.
#pragma once

#include <concepts>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <spmd/local/concept.hpp>

namespace spmd {

/// The type `shape()` returns, without reference or const.
template <local_tensor T>
using shape_type_of = std::remove_cvref_t<decltype(std::declval<T const&>().shape())>;

/// The element types the communicators send (runtime/communicator.hpp): float and double.
template <class V>
concept communicable_element = std::same_as<V, float> || std::same_as<V, double>;

/// A shape the collectives read and edit: a copyable list of extents with size(), read by index,
/// and assignable by index (a result's shape is the operand's with the split dim changed).
/// std::array<std::size_t, ndim> is one.
template <class S>
concept editable_shape = std::copyable<S> && requires(S& s, S const& cs, std::size_t i) {
  { cs.size() } -> std::convertible_to<std::size_t>;
  { cs[i] } -> std::convertible_to<std::size_t>;
  s[i] = i;
};

/// `data()` of a const tensor points at its elements (read by the collectives that send them).
template <class T>
concept readable_data = requires(T const& t) {
  { t.data() } -> std::convertible_to<typename T::value_type const*>;
};

/// `data()` of a non-const tensor gives `value_type*` to its elements (written by the
/// collectives that receive or sum into them).
template <class T>
concept writable_data = requires(T& t) {
  { t.data() } -> std::same_as<typename T::value_type*>;
};

/// `T(shape)`: a tensor of that shape, whose elements the collective then writes.
template <class T>
concept shape_constructible = std::constructible_from<T, shape_type_of<T>>;

/// A local tensor the collectives can move: float or double elements, an editable shape, data()
/// readable and writable, constructible from a shape. Not checkable, and assumed: data() points
/// at exactly the product of the extents elements, contiguous, and two tensors of the same shape
/// order their elements the same way (all_reduce sums buffers element by element, whatever that
/// order is). Needed by all_reduce, convert and redistribute; reinterpret touches no data and
/// needs only local_tensor.
template <class T>
concept buffer_tensor = local_tensor<T> && communicable_element<typename T::value_type> &&
    editable_shape<shape_type_of<T>> && readable_data<T> && writable_data<T> && shape_constructible<T>;

/// True if data() holds the elements in row-major order (the last index fastest). A type says so
/// with `static constexpr bool row_major = true;` (local::dense does), or by specialising this
/// variable template for a type it cannot change. Ranks 0 and 1 have only one order.
template <class T>
inline constexpr bool row_major_order = spmd::local_ndim<T> <= 1 || requires {
  requires T::row_major;
};

/// A buffer_tensor in row-major order: what the collectives that split or join a tensor along a
/// dim need (reduce_scatter, all_gather, all_to_all, convert R|I -> S<d> and S<d> -> P), since
/// they cut S<d> chunks out of data() as row-major blocks.
template <class T>
concept row_major_tensor = buffer_tensor<T> && row_major_order<T>;

}  // namespace spmd
