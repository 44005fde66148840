// spmd/rules/layout_rule.hpp - the typing rule of a non-communicating op on a whole layout.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/rules/axis_rule.hpp>

namespace spmd::rules {

/// The "layout" of a plain number operand: `scalar` on every axis.
struct scalar_layout {};

namespace detail {
template <class Layout, std::size_t Index>
struct operand_placement_at {
  using type = placement_at_t<Layout, Index>;
};
template <std::size_t Index>
struct operand_placement_at<scalar_layout, Index> {
  using type = scalar;
};

template <class Op, class Mesh, class DimMap, std::size_t Index, class... Layouts>
struct axis_result_at {
  using type = typename axis_result<Op, axis_tag<Mesh::template name<Index>>, DimMap,
                                    typename operand_placement_at<Layouts, Index>::type...>::type;
};

template <class Op, class Mesh, class DimMap, class Indices, class... Layouts>
struct result_layout_impl;
template <class Op, class Mesh, class DimMap, std::size_t... Is, class... Layouts>
struct result_layout_impl<Op, Mesh, DimMap, std::index_sequence<Is...>, Layouts...> {
  using type = layout<typename axis_result_at<Op, Mesh, DimMap, Is, Layouts...>::type...>;
};
}  // namespace detail

/// The layout of the result of `Op` on `Mesh`, from the operands' layouts (positional, or
/// `scalar_layout` for a number), checked on every axis. `DimMap` says where each operand dim goes.
template <class Op, mesh_type Mesh, class DimMap, class... Layouts>
struct result_layout {
  using type = typename detail::result_layout_impl<Op, Mesh, DimMap, std::make_index_sequence<Mesh::rank>,
                                                   Layouts...>::type;
};

template <class Op, mesh_type Mesh, class DimMap, class... Layouts>
using result_layout_t = typename result_layout<Op, Mesh, DimMap, Layouts...>::type;

}  // namespace spmd::rules
