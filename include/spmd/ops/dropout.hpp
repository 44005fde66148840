// spmd/ops/dropout.hpp - dropout with a mask that follows the tensor's placements.
//
// On a mesh axis where the tensor holds the same data on every rank (R, I) or the pieces of one
// sum (P), every rank must drop the same elements, or the replicas drift apart (R, I) or the sum
// is no longer masked (P): the mask does not depend on the rank's coordinate there. Where the
// data differ (V, S<d>), the masks are independent. This is Megatron's model-parallel RNG
// tracker, decided by the type instead of by which region the call sits in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

#include <spmd/core/layout.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/ops/detail/kernel_call.hpp>
#include <spmd/ops/elementwise.hpp>

// The kernel names the definitions below call (ops/detail/kernel_call.hpp).
namespace spmd::detail::kernel {
SPMD_DETAIL_KERNEL(dropout)
}  // namespace spmd::detail::kernel

namespace spmd {

/// The random stream of dropout: a seed shared by all ranks and a counter that every call
/// advances (on every rank alike, as SPMD programs call dropout in the same order).
class dropout_generator {
 public:
  explicit dropout_generator(std::uint64_t seed) noexcept : seed_(seed) {}

  /// The key of the next mask of a tensor placed `Layout` on `Mesh`, on rank `r`: it mixes in
  /// r's coordinate on exactly the axes where that tensor varies (V or S<d>).
  template <class Mesh, class Layout, class Rank>
  [[nodiscard]] std::uint64_t next_key(Rank const& r) {
    std::uint64_t key = mix(seed_ ^ mix(++calls_));
    [&]<std::size_t... Is>(std::index_sequence<Is...>) {
      ((key = kind_of<placement_at_t<Layout, Is>> == placement_kind::varying
                  ? mix(key ^ mix(0x9e3779b97f4a7c15ULL * (Is + 1) + r.coord(Mesh::names[Is])))
                  : key),
       ...);
    }
    (std::make_index_sequence<Mesh::axis_count>{});
    return key;
  }

  /// splitmix64's finaliser: a bijection of 64-bit words whose outputs look independent.
  [[nodiscard]] static constexpr std::uint64_t mix(std::uint64_t z) noexcept {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t seed_;
  std::uint64_t calls_ = 0;
};

namespace op {

/// x * mask / (1 - p), the mask drawn from `key`: linear in x (a pending sum is masked alike on
/// every rank, so it stays one).
struct dropout {
  static constexpr std::string_view name = "dropout";
  static constexpr auto linearity = spmd::linearity::linear;
  static auto kernel(auto&& x, double p, std::uint64_t key) {
    return detail::kernel::dropout_fn{}(std::forward<decltype(x)>(x), p, key);
  }
  /// The same mask on the gradient.
  template <std::size_t>
  static auto backward(auto const& g, auto const&, auto const&, double p, std::uint64_t key) {
    return spmd::apply<dropout>(g, p, key);
  }
};

}  // namespace op

/// Drops each element of x with probability p (0 <= p < 1) and scales the rest by 1 / (1 - p).
/// The mask is the same on the ranks of an axis where x is R, I or P, and independent where x is
/// V or S<d> (docs/ops.md). `r` is the rank (any runtime's), `gen` the stream shared by all ranks.
template <op_operand T, class Rank>
auto dropout(Rank const& r, T&& x, double p, dropout_generator& gen) {
  if (!(p >= 0.0 && p < 1.0)) throw std::invalid_argument("spmd: dropout: p must be in [0, 1)");
  using X = detail::operand_tensor_t<T>;
  std::uint64_t const key = gen.next_key<typename X::mesh_type, typename X::layout_type>(r);
  return op_fn<op::dropout>{}(std::forward<T>(x), p, key);
}

}  // namespace spmd
