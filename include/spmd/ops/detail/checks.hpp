// spmd/ops/detail/checks.hpp - checks shared by the typed ops, made at the user's call.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <spmd/core/mesh.hpp>
#include <spmd/core/meta.hpp>
#include <spmd/core/printed_names.hpp>
#include <spmd/rules/layout_rule.hpp>
#include <spmd/tensor.hpp>

namespace spmd::detail {

template <class T>
using bare = std::remove_cvref_t<T>;

/// An operand of an elementwise op: a typed tensor or a plain number.
template <class T>
concept tensor_or_scalar = typed_tensor<T> || number<T>;

template <class T>
struct operand_traits {  // a plain number
  using mesh = void;
  using layout = rules::scalar_layout;
};
template <typed_tensor T>
struct operand_traits<T> {
  using mesh = typename bare<T>::mesh_type;
  using layout = typename bare<T>::layout_type;
};

/// The mesh of the first tensor among the operands `Ts...` (void if all are numbers).
template <class... Ts>
struct common_mesh {
  using type = void;
};
template <class T, class... Ts>
struct common_mesh<T, Ts...> {
  using type = std::conditional_t<std::is_void_v<typename operand_traits<T>::mesh>, typename common_mesh<Ts...>::type,
                                  typename operand_traits<T>::mesh>;
};

/// A mesh spelled with on_axis<...> names, so that every compiler prints its axis names.
template <class... Axes>
struct mesh_of_axes {};
template <class Mesh>
struct spelled_mesh;
template <fixed_string... Names>
struct spelled_mesh<mesh<Names...>> {
  using type = mesh_of_axes<axis_tag<Names>...>;
};

template <class MeshA, class MeshB>
consteval bool meshes_agree() {
  if constexpr (std::is_same_v<MeshA, MeshB>) {
    return true;
  } else {
    static_assert(spmd::detail::always_false<MeshA, MeshB>,
                  "spmd: the operands live on different meshes (the two meshes are shown below); an op "
                  "combines tensors of one mesh only");
    return false;
  }
}

/// The operands are tensors of one mesh (a number operand has no mesh and fits any); otherwise
/// one static_assert that shows both meshes' axis names.
template <class... Ts>
consteval bool same_mesh() {
  using m0 = typename common_mesh<Ts...>::type;
  // The usual case, without instantiating the diagnostic's machinery for every operand.
  // (clang-format 14 misreads a fold expression in a constraint)
  // clang-format off
  if constexpr (((std::is_void_v<typename operand_traits<Ts>::mesh> ||
                  std::is_same_v<typename operand_traits<Ts>::mesh, m0>) && ...)) {
    // clang-format on
    return true;
  } else {
    auto one = []<class T>() {
      using m = typename operand_traits<T>::mesh;
      if constexpr (std::is_void_v<m> || std::is_void_v<m0>)
        return true;
      else
        return meshes_agree<typename spelled_mesh<m0>::type, typename spelled_mesh<m>::type>();
    };
    return (one.template operator()<Ts>() && ...);
  }
}

/// Where a run-time check is due: operand `operand` is R on mesh axis `axis`, where the result is
/// S<shard>, and its dim `dim` lines up with the shard's dim: it must have extent 1 there.
struct broadcast_check {
  std::size_t operand = 0, dim = 0, axis = 0;
  int shard = 0;
};
template <std::size_t N>
struct broadcast_checks {
  std::array<broadcast_check, N> list{};
  std::size_t count = 0;
};

template <class T>
inline constexpr std::size_t ndim_of = [] {
  if constexpr (typed_tensor<T>)
    return bare<T>::ndim;
  else
    return std::size_t{0};
}();

/// The run-time checks of an op with dim map `DimMap` whose result layout is `Out`, for operands
/// `Ts...`: every R operand must broadcast along a dim that is sharded in the result.
template <class DimMap, class Mesh, class Out, class... Ts>
consteval auto broadcast_checks_of() {
  constexpr std::size_t n_axes = Mesh::axis_count, n_ops = sizeof...(Ts);
  broadcast_checks<n_axes * n_ops> out;  // each R operand has at most one dim per shard
  constexpr std::array<std::size_t, n_ops> ndims{ndim_of<Ts>...};
  // The placements as the rule's per-layout arrays (memoised per layout, not looked up per axis).
  constexpr auto const& result = rules::detail::operand_infos<Out, n_axes>::value;
  constexpr std::array<std::array<rules::detail::operand_info, n_axes>, n_ops> operands{
      rules::detail::operand_infos<typename operand_traits<Ts>::layout, n_axes>::value...};
  for (std::size_t a = 0; a < n_axes; ++a) {
    int const shard = result[a].shard;  // the d of an S<d> result, else -1
    if (shard < 0) continue;
    for (std::size_t i = 0; i < n_ops; ++i) {
      auto const& o = operands[i][a];
      if (!o.tensor || o.kind != placement_kind::replicate) continue;  // only an R operand
      for (std::size_t d = 0; d < ndims[i]; ++d) {
        auto const f = DimMap::fate(i, static_cast<int>(d));
        if (f.kind == rules::dim_fate::kept && f.index == shard && out.count < out.list.size())
          out.list[out.count++] = broadcast_check{i, d, a, shard};
      }
    }
  }
  return out;
}

[[noreturn]] inline void throw_not_broadcast(std::string_view axis, std::size_t operand, std::size_t dim,
                                             std::size_t extent, int shard) {
  std::string const a(axis), d = std::to_string(shard);
  throw std::invalid_argument("spmd: on mesh axis '" + a + "' the result is sharded along dim " + d + " (S(" + d +
                              ")), but operand " + std::to_string(operand + 1) + " is R with extent " +
                              std::to_string(extent) + " along its dim " + std::to_string(dim) +
                              "; an R operand next to a shard must broadcast along the shard's dim (extent 1). If it "
                              "is the same tensor sharded, make it S(" +
                              d + ") too: reduce_scatter<\"" + a + "\", " + d +
                              "> where all_reduce gave R, or convert<\"" + a + "\", R, S<" + d + ">>");
}

/// Runs the checks of broadcast_checks_of on the operands `xs...` (nothing when there are none).
template <class DimMap, class Mesh, class Out, class... Ts>
void check_broadcasts(Ts const&... xs) {
  static constexpr auto checks = broadcast_checks_of<DimMap, Mesh, Out, Ts...>();
  if constexpr (checks.count > 0) {
    auto one = [&]<std::size_t I, class T>(T const& x) {
      if constexpr (typed_tensor<T>) {
        for (std::size_t c = 0; c < checks.count; ++c) {
          auto const& k = checks.list[c];
          if (k.operand == I && static_cast<std::size_t>(x.shape()[k.dim]) != 1)
            throw_not_broadcast(Mesh::names[k.axis], I, k.dim, static_cast<std::size_t>(x.shape()[k.dim]), k.shard);
        }
      }
    };
    [&]<std::size_t... Is>(std::index_sequence<Is...>) {
      (one.template operator()<Is>(xs), ...);
    }
    (std::index_sequence_for<Ts...>{});
  }
}

/// A number operand converted to the element type of the tensor operand.
template <class Other, class T>
decltype(auto) local_operand(T&& x) {
  if constexpr (typed_tensor<T>)
    return (std::forward<T>(x).local());
  else
    return static_cast<typename bare<Other>::value_type>(x);
}

template <int Dim, std::size_t Ndim>
inline constexpr bool dim_in_range = Dim >= 0 && static_cast<std::size_t>(Dim) < Ndim;

}  // namespace spmd::detail
