// spmd/rules/dim_maps.hpp - where each operand dim goes in the result of the built-in ops.
//
// The local view keeps an S<d> where d still names a dim of the result (renumbered) and decays it
// to V where it does not. These maps say which; `decays` marks a dim that does not survive.
#pragma once

#include <cstddef>

#include <spmd/rules/axis_rule.hpp>

namespace spmd::rules {

/// Reduction over `Dim` (sum, mean): that dim disappears, later dims move down by one.
template <int Dim>
struct reduce_dims {
  static constexpr int out_dim(std::size_t, int d) noexcept { return d == Dim ? decays : (d > Dim ? d - 1 : d); }
};

/// Swap of dims `A` and `B`.
template <int A, int B>
struct swap_dims {
  static constexpr int out_dim(std::size_t, int d) noexcept { return d == A ? B : (d == B ? A : d); }
};

/// A new dim of extent 1 inserted at `Dim`.
template <int Dim>
struct unsqueeze_dims {
  static constexpr int out_dim(std::size_t, int d) noexcept { return d >= Dim ? d + 1 : d; }
};

/// Dim `Dim` (of extent 1) removed.
template <int Dim>
struct squeeze_dims : reduce_dims<Dim> {};

/// A reshape: extents are run-time values, so no dim is known to survive; S<d> decays to V.
struct reshape_dims {
  static constexpr int out_dim(std::size_t, int) noexcept { return decays; }
};

/// Concatenation along `Dim`: pieces sharded along the concatenation dim no longer line up.
template <int Dim>
struct concat_dims {
  static constexpr int out_dim(std::size_t, int d) noexcept { return d == Dim ? decays : d; }
};

/// matmul of a rank-`RankA` operand by a rank-`RankB` operand (batched when a rank is above 2):
/// a's last dim and b's next-to-last dim are contracted; b's last dim is the result's last dim;
/// batch dims line up from the right.
template <std::size_t RankA, std::size_t RankB>
struct matmul_dims {
  static constexpr int rank_out = static_cast<int>(RankA > RankB ? RankA : RankB);
  static constexpr int out_dim(std::size_t operand, int d) noexcept {
    int const ra = static_cast<int>(RankA), rb = static_cast<int>(RankB);
    if (operand == 0) return d == ra - 1 ? decays : d + (rank_out - ra);
    if (d == rb - 2) return decays;
    if (d == rb - 1) return rank_out - 1;
    return d + (rank_out - rb);
  }
};

}  // namespace spmd::rules
