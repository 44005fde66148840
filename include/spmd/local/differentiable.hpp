// spmd/local/differentiable.hpp - what autograd needs of a local tensor beyond the kernels of the
// ops it differentiates: the concept differentiable_tensor.
#pragma once

#include <concepts>
#include <utility>

#include <spmd/local/buffer.hpp>
#include <spmd/local/concept.hpp>

namespace spmd {

/// `T(shape, value)`: a tensor of that shape with every element `value`. Autograd makes the loss
/// seed (ones), sum_all's ones and the zeros that an expanded gradient is added to this way.
template <class T>
concept fill_constructible = std::constructible_from < T,
        shape_type_of<T>,
typename T::value_type > ;

/// Shapes compare with ==: an elementwise op's backward sums a gradient down only where an
/// operand's shape differs from the result's (it was broadcast).
template <class T>
concept comparable_shape = std::equality_comparable<shape_type_of<T>>;

/// `sum_to_shape(g, shape)`, found by argument-dependent lookup: `g` summed over the dims where
/// `shape` has extent 1 and g does not, as the gradient of an operand that was broadcast.
template <class T>
concept has_sum_to_shape = requires(T g, shape_type_of<T> const& s) {
  { sum_to_shape(std::move(g), s) } -> std::same_as<T>;
};

/// A local tensor whose ops autograd can differentiate, given the kernels each op's backward
/// calls (docs/local_tensors.md lists them): fill-constructible, comparable shapes, sum_to_shape.
/// Assumed, not checkable: the add kernel broadcasts extents of 1 (the backward of sum<d> spreads
/// a gradient by adding it to zeros of the input's shape).
template <class T>
concept differentiable_tensor = local_tensor<T> && fill_constructible<T> && comparable_shape<T> && has_sum_to_shape<T>;

}  // namespace spmd
