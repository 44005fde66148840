// spmd/core/grad.hpp - the gradient map: the layout of a tensor's gradient, from its layout.
#pragma once

#include <spmd/core/layout.hpp>
#include <spmd/core/placement.hpp>

namespace spmd {

/// The placement of the gradient of a tensor placed `T`: R <-> P, I -> I, V -> V, S<d> -> S<d>.
/// The map is an involution: grad of grad is the original.
template <placement T>
struct grad_placement {
  using type = T;
};
template <>
struct grad_placement<R> {
  using type = P;
};
template <>
struct grad_placement<P> {
  using type = R;
};

/// The gradient type of `T`: a placement, a positional layout, or a typed tensor
/// (tensor types specialise `grad_of`).
template <class T>
struct grad_of;

template <placement T>
struct grad_of<T> : grad_placement<T> {};

template <placement... Ps>
struct grad_of<layout<Ps...>> {
  using type = layout<typename grad_placement<Ps>::type...>;
};

/// The layout (or placement, or tensor type) of the gradient of `T`.
template <class T>
using grad_t = typename grad_of<T>::type;

}  // namespace spmd
