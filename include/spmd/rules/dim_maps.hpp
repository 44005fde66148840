// spmd/rules/dim_maps.hpp - where each operand dim goes in the result of the built-in ops.
//
// An S<d> follows its dim: kept dims are renumbered, a contracted dim makes a pending sum (with
// out_partial), a merged dim leaves a plain V, and a non-linear op along the dim is an error.
// See `dim_fate` in axis_rule.hpp.
#pragma once

#include <cstddef>

#include <spmd/rules/axis_rule.hpp>

namespace spmd::rules {

/// Sum over `Dim`: that dim is contracted (label 0), later dims move down by one.
template <int Dim>
struct sum_dims {
  static constexpr dim_fate fate(std::size_t, int d) noexcept {
    return d == Dim ? dim_fate::summed(0) : dim_fate::to(d > Dim ? d - 1 : d);
  }
  static constexpr int contracted_dim(std::size_t, int) noexcept { return Dim; }
};

/// Mean over `Dim`: the divisor is the local extent, so a sharded `Dim` is an error.
template <int Dim>
struct mean_dims {
  static constexpr dim_fate fate(std::size_t, int d) noexcept {
    return d == Dim ? dim_fate::mean() : dim_fate::to(d > Dim ? d - 1 : d);
  }
};

/// A non-linear op along `Dim` that keeps every dim (softmax<Dim>, normalisation over `Dim`).
template <int Dim>
struct along_dims {
  static constexpr bool elementwise = true;
  static constexpr dim_fate fate(std::size_t, int d) noexcept {
    return d == Dim ? dim_fate::worked_along() : dim_fate::to(d);
  }
};

/// Swap of dims `A` and `B`.
template <int A, int B>
struct swap_dims {
  static constexpr dim_fate fate(std::size_t, int d) noexcept { return dim_fate::to(d == A ? B : (d == B ? A : d)); }
};

/// A new dim of extent 1 inserted at `Dim`.
template <int Dim>
struct unsqueeze_dims {
  static constexpr dim_fate fate(std::size_t, int d) noexcept { return dim_fate::to(d >= Dim ? d + 1 : d); }
};

/// Dim `Dim` (of extent 1) removed.
template <int Dim>
struct squeeze_dims {
  static constexpr dim_fate fate(std::size_t, int d) noexcept {
    return d == Dim ? dim_fate::lost() : dim_fate::to(d > Dim ? d - 1 : d);
  }
};

/// A sum over every dim (sum_all): each dim is contracted with a label of its own.
struct total_dims {
  static constexpr dim_fate fate(std::size_t, int d) noexcept { return dim_fate::summed(d); }
  static constexpr int contracted_dim(std::size_t, int label) noexcept { return label; }
};

/// A reshape: extents are run-time values, so no dim is known to survive; an S<d> becomes V.
struct reshape_dims {
  static constexpr dim_fate fate(std::size_t, int) noexcept { return dim_fate::lost(); }
};

/// Concatenation along `Dim`: pieces sharded along the concatenation dim no longer line up (V);
/// the other dims are kept.
template <int Dim>
struct concat_dims {
  static constexpr bool elementwise = true;
  static constexpr dim_fate fate(std::size_t, int d) noexcept { return d == Dim ? dim_fate::lost() : dim_fate::to(d); }
};

/// matmul of a `NdimA`-dim operand by a `NdimB`-dim operand (batched above 2 dims):
/// a's last dim and b's next-to-last dim are contracted (label 0); b's last dim is the result's
/// last dim; batch dims line up from the right.
template <std::size_t NdimA, std::size_t NdimB>
struct matmul_dims {
  static constexpr int ndim_out = static_cast<int>(NdimA > NdimB ? NdimA : NdimB);
  static constexpr int ra = static_cast<int>(NdimA), rb = static_cast<int>(NdimB);
  static constexpr dim_fate fate(std::size_t operand, int d) noexcept {
    if (operand == 0) return d == ra - 1 ? dim_fate::summed(0) : dim_fate::to(d + (ndim_out - ra));
    if (d == rb - 2) return dim_fate::summed(0);
    if (d == rb - 1) return dim_fate::to(ndim_out - 1);
    return dim_fate::to(d + (ndim_out - rb));
  }
  static constexpr int contracted_dim(std::size_t operand, int) noexcept { return operand == 0 ? ra - 1 : rb - 2; }
};

}  // namespace spmd::rules
