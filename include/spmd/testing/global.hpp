// spmd/testing/global.hpp - what a distributed tensor means as a whole, for tests: random tensors
// that honour their layout, the global inner product of a tensor with a gradient, and the
// global value of a tensor.
//
// A tensor's meaning over an axis: R or I, the one value every rank holds; P, the sum over the
// ranks; V, the list of per-rank values; S<d>, their concatenation along d.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <spmd/comm/detail/chunks.hpp>
#include <spmd/comm/ops.hpp>
#include <spmd/core/grad.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/tensor.hpp>

namespace spmd::testing {

namespace detail {

template <class Rank, std::size_t N>
decltype(auto) group(Rank& r, std::array<std::string_view, N> const& names, std::size_t count) {
  if (count == 1) return r.comm(names[0]);
  return r.comm(std::span<std::string_view const>(names.data(), count));
}
}  // namespace detail

/// A tensor of type `T` with this rank's local shape `shape`, filled with normal random numbers
/// that honour the layout: equal on the ranks of its R and I axes, different on its V, S and P
/// axes. The same `seed` on every rank gives one consistent distributed tensor.
template <typed_tensor T, rank_context Rank, class Shape>
T random_tensor(Rank& r, Shape const& shape, std::uint64_t seed) {
  using X = std::remove_cvref_t<T>;
  using mesh = typename X::mesh_type;
  auto const& placements = placement_values<typename X::layout_type>;
  std::uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (std::size_t a = 0; a < mesh::axis_count; ++a)  // the axes where ranks hold different data (V, S<d>, P)
    if (placements[a].kind == placement_kind::varying || placements[a].kind == placement_kind::partial)
      s = s * 1000003ull + r.coord(mesh::names[a]) + 1;
  std::mt19937_64 gen(s);
  std::normal_distribution<double> dist(0.0, 1.0);
  typename X::local_type local(shape);
  std::size_t n = 1;
  for (auto e : local.shape()) n *= e;
  for (std::size_t i = 0; i < n; ++i) local.data()[i] = static_cast<typename X::value_type>(dist(gen));
  return T{std::move(local)};
}

/// <a, b> of two distributed tensors, where b's layout is the gradient layout of a's (R with P,
/// I with I, V with V, S<d> with S<d>): the sum over the ranks of every axis that is not I of the
/// local inner products. On every rank the same number.
template <rank_context Rank, typed_tensor A, typed_tensor B>
double global_inner_product(Rank& r, A const& a, B const& b) {
  using XA = std::remove_cvref_t<A>;
  using XB = std::remove_cvref_t<B>;
  static_assert(std::is_same_v<typename XA::mesh_type, typename XB::mesh_type>,
                "spmd: global_inner_product: the tensors live on different meshes");
  static_assert(std::is_same_v<grad_t<typename XA::layout_type>, typename XB::layout_type>,
                "spmd: global_inner_product pairs a tensor with one of its gradient layout (R with P, I with "
                "I, V with V, S<d> with S<d>)");
  using mesh = typename XA::mesh_type;
  auto const& placements = placement_values<typename XA::layout_type>;
  if (a.local().shape() != b.local().shape())
    throw std::invalid_argument("spmd: global_inner_product: local shapes differ");
  std::size_t n = 1;
  for (auto e : a.local().shape()) n *= e;
  double local = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    local += static_cast<double>(a.local().data()[i]) * static_cast<double>(b.local().data()[i]);
  std::array<std::string_view, mesh::axis_count> summed{};
  std::size_t count = 0;
  for (std::size_t ax = 0; ax < mesh::axis_count; ++ax)
    if (placements[ax].kind != placement_kind::invariant) summed[count++] = mesh::names[ax];
  if (count == 0) return local;
  double total[1] = {local};
  detail::group(r, summed, count).all_reduce_sum(std::span<double>(total));
  return total[0];
}

/// The whole tensor that `x` means, as a local tensor on every rank: P axes summed, S<d> axes
/// concatenated along d (where several axes shard one dim, the first mesh axis holds the
/// outermost chunks), R and I axes as they are. A plain V has no single global value (an
/// exception says so).
template <rank_context Rank, typed_tensor T>
auto global_value(Rank& r, T const& x) {
  using X = std::remove_cvref_t<T>;
  using mesh = typename X::mesh_type;
  using local_type = typename X::local_type;
  using value_type = typename local_type::value_type;
  local_type out = x.local();
  auto one_axis = [&]<std::size_t Axis>() {
    using Pl = placement_at_t<typename X::layout_type, Axis>;
    std::string_view const name = mesh::names[Axis];
    auto& comm = r.comm(name);
    if constexpr (std::is_same_v<Pl, P>) {
      std::size_t n = 1;
      for (auto e : out.shape()) n *= e;
      comm.all_reduce_sum(std::span<value_type>(out.data(), n));
    } else if constexpr (shard_placement<Pl>) {
      // Every rank's extent along d, then the concatenation.
      std::vector<double> mine{static_cast<double>(out.shape()[Pl::dim])};
      std::vector<double> all(comm.size());
      std::vector<std::size_t> ones(comm.size(), 1);
      comm.all_gather(std::span<double const>(mine), std::span<double>(all), ones);
      std::vector<std::size_t> lens(comm.size());
      std::size_t total = 0;
      for (std::size_t i = 0; i < lens.size(); ++i) total += lens[i] = static_cast<std::size_t>(all[i]);
      auto shape = out.shape();
      shape[Pl::dim] = total;
      local_type whole(shape);
      auto const a = comm::detail::split_shape(shape, Pl::dim);
      auto const counts = comm::detail::chunk_counts(a, lens);
      std::vector<value_type> packed(a.outer * total * a.inner);
      std::size_t n = 1;
      for (auto e : out.shape()) n *= e;
      comm.all_gather(std::span<value_type const>(out.data(), n), std::span<value_type>(packed), counts);
      comm::detail::unpack_chunks(packed.data(), a, lens, whole.data());
      out = std::move(whole);
    } else if constexpr (std::is_same_v<Pl, V>) {
      throw std::invalid_argument("spmd: global_value: a plain V has no single global value (axis '" +
                                  std::string(name) + "')");
    }
  };
  // The last axis first: where several axes shard one dim, the first holds the outermost chunks.
  for_each_axis<mesh>([&]<std::size_t K>() { one_axis.template operator()<mesh::axis_count - 1 - K>(); });
  return out;
}

}  // namespace spmd::testing
