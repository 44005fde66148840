// spmd/local/dense_einsum.hpp - einsum over one or two local::dense operands.
//
// (Batched) matrix-product specs, possibly with transposed operands or output
// ("ij,jk->ik", "bij,bjk->bik", "bhqd,bhkd->bhqk", ...), go to Eigen GEMM; everything else
// runs a straightforward loop over the output and contracted index space.
#pragma once

#include <spmd/local/dense.hpp>
#include <spmd/local/dense_matmul.hpp>
#include <spmd/local/einsum_spec.hpp>

#include <array>
#include <string>
#include <type_traits>

namespace spmd::local {

namespace detail {

/// Per-label extents (loop order of Spec::plan); checks that shared labels agree.
template <class Spec, class T, std::size_t... Ndim>
[[nodiscard]] std::array<std::size_t, Spec::plan.n_loop> einsum_extents(dense<T, Ndim> const&... ops) {
  constexpr auto plan = Spec::plan;
  std::array<std::size_t const*, sizeof...(Ndim)> const shapes{ops.shape().data()...};
  std::array<std::size_t, plan.n_loop> ext{};
  for (std::size_t l = 0; l < plan.n_loop; ++l) {
    std::size_t first = einsum_npos;
    for (std::size_t k = 0; k < sizeof...(Ndim); ++k) {
      std::size_t const d = plan.operand_dim[k][l];
      if (d == einsum_npos) continue;
      if (first == einsum_npos) {
        first = k;
        ext[l] = shapes[k][d];
      } else if (shapes[k][d] != ext[l]) {
        std::array<std::string, sizeof...(Ndim)> const strs{shape_string(ops.shape())...};
        fail("einsum", "spec \"" + std::string(Spec::str) + "\": label '" + std::string(1, plan.loop_labels[l]) +
                           "' has extent " + std::to_string(ext[l]) + " in operand " + std::to_string(first) + " " +
                           strs[first] + " but " + std::to_string(shapes[k][d]) + " in operand " + std::to_string(k) +
                           " " + strs[k]);
      }
    }
  }
  return ext;
}

/// Strides of operand `k` along each loop label (0 where the operand lacks the label).
template <class Spec, std::size_t Ndim>
[[nodiscard]] std::array<std::size_t, Spec::plan.n_loop> einsum_strides(std::size_t k,
                                                                        std::array<std::size_t, Ndim> const& shape) {
  auto const st = row_major_strides(shape);
  std::array<std::size_t, Spec::plan.n_loop> out{};
  for (std::size_t l = 0; l < Spec::plan.n_loop; ++l) {
    std::size_t const d = Spec::plan.operand_dim[k][l];
    out[l] = d == einsum_npos ? 0 : st[d];
  }
  return out;
}

/// Generic einsum: odometer over all loop labels (output labels outermost), accumulating
/// the product of the operands into the output element.
template <class Spec, class T, std::size_t... Ndim>
[[nodiscard]] dense<T, Spec::out_ndim> einsum_loop(dense<T, Ndim> const&... ops) {
  constexpr std::size_t L = Spec::plan.n_loop;
  constexpr std::size_t N = sizeof...(Ndim);
  auto const ext = einsum_extents<Spec>(ops...);
  std::array<std::size_t, Spec::out_ndim> oshape{};
  for (std::size_t d = 0; d < Spec::out_ndim; ++d) oshape[d] = ext[d];
  dense<T, Spec::out_ndim> out(oshape);

  std::size_t total = 1;
  for (std::size_t e : ext) total *= e;
  if (total == 0) return out;  // empty output, or empty sum (stays 0)

  std::size_t k = 0;
  std::array<std::array<std::size_t, L>, N> const st{einsum_strides<Spec>(k++, ops.shape())...};
  std::array<T const*, N> const ptr{ops.data()...};
  std::array<std::size_t, L> so{};
  auto const ost = row_major_strides(oshape);
  for (std::size_t d = 0; d < Spec::out_ndim; ++d) so[d] = ost[d];

  T* po = out.data();
  if constexpr (L == 0) {
    return out;  // unreachable for valid specs: every operand has at least one label
  } else {
    std::array<std::size_t, L> idx{};
    std::array<std::size_t, N> off{};
    std::size_t oo = 0;
    std::size_t const inner = ext[L - 1], si_o = so[L - 1];
    for (std::size_t it = 0; it < total; it += inner) {
      // Innermost label as a plain strided loop.
      for (std::size_t i = 0; i < inner; ++i) {
        T v = ptr[0][off[0] + i * st[0][L - 1]];
        if constexpr (N == 2) v *= ptr[1][off[1] + i * st[1][L - 1]];
        po[oo + i * si_o] += v;
      }
      for (std::size_t d = L - 1; d-- > 0;) {
        for (std::size_t j = 0; j < N; ++j) off[j] += st[j][d];
        oo += so[d];
        if (++idx[d] < ext[d]) break;
        for (std::size_t j = 0; j < N; ++j) off[j] -= st[j][d] * ext[d];
        oo -= so[d] * ext[d];
        idx[d] = 0;
      }
    }
    return out;
  }
}

/// (Batched) GEMM einsum as recognised by make_einsum_plan.
template <class Spec, class T, std::size_t Ndim>
[[nodiscard]] dense<T, Ndim> einsum_gemm(dense<T, Ndim> const& a, dense<T, Ndim> const& b) {
  constexpr auto plan = Spec::plan;
  constexpr std::size_t nb = plan.n_batch;
  auto const ext = einsum_extents<Spec>(a, b);  // validates shared extents
  std::array<std::size_t, Ndim> oshape{};
  for (std::size_t d = 0; d < Ndim; ++d) oshape[d] = ext[d];
  dense<T, Ndim> out(oshape);

  std::size_t batch = 1;
  for (std::size_t d = 0; d < nb; ++d) batch *= ext[d];
  std::size_t const ar = a.shape()[nb], ac = a.shape()[nb + 1];
  std::size_t const br = b.shape()[nb], bc = b.shape()[nb + 1];
  std::size_t const m = plan.trans_a ? ac : ar;  // extent of a's free label
  std::size_t const n = plan.trans_b ? br : bc;  // extent of b's free label
  for (std::size_t i = 0; i < batch; ++i) {
    auto const am = map_rows(a.data() + i * ar * ac, ar, ac);
    auto const bm = map_rows(b.data() + i * br * bc, br, bc);
    T* pc = out.data() + i * m * n;
    // A column-major [m, n] map of a row-major [n, m] block stores the transposed product.
    using cmat = std::conditional_t<plan.trans_out, eigen_col_major<T>, eigen_row_major<T>>;
    Eigen::Map<cmat> cm(pc, static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(n));
    gemm_into<plan.trans_a, plan.trans_b>(cm, am, bm);
  }
  return out;
}

}  // namespace detail

/// Two-operand einsum, e.g. `einsum(einsum_spec<"ij,jk->ik">{}, a, b)`. Labels shared by
/// a and b must have equal extents (else std::invalid_argument).
template <einsum_spec_type Spec, class T, std::size_t Ra, std::size_t Rb>
[[nodiscard]] dense<T, Spec::out_ndim> einsum(Spec, dense<T, Ra> const& a, dense<T, Rb> const& b) {
  [[maybe_unused]] constexpr bool fits = detail::einsum_operands_fit<Spec, Ra, Rb>();
  if constexpr (Spec::plan.gemm && Ra == Rb && Ra == Spec::out_ndim) {
    return detail::einsum_gemm<Spec>(a, b);
  } else {
    return detail::einsum_loop<Spec>(a, b);
  }
}

/// One-operand einsum, e.g. `einsum(einsum_spec<"ij->ji">{}, a)` or a reduction "ij->i".
template <einsum_spec_type Spec, class T, std::size_t Ra>
[[nodiscard]] dense<T, Spec::out_ndim> einsum(Spec, dense<T, Ra> const& a) {
  [[maybe_unused]] constexpr bool fits = detail::einsum_operands_fit<Spec, Ra>();
  return detail::einsum_loop<Spec>(a);
}

}  // namespace spmd::local
