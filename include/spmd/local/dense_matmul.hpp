// spmd/local/dense_matmul.hpp - matrix products for local::dense, delegated to Eigen.
// The row-major buffers are wrapped in Eigen::Map (no copies); GEMM is never hand-written.
#pragma once

#include <spmd/local/dense.hpp>

#include <Eigen/Core>

namespace spmd::local {

namespace detail {

template <class T>
using eigen_row_major = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using eigen_col_major = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

/// Wraps a row-major [rows, cols] buffer as a read-only Eigen matrix.
template <class T>
[[nodiscard]] Eigen::Map<eigen_row_major<T> const> map_rows(T const* p, std::size_t rows, std::size_t cols) {
  return {p, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols)};
}

/// c = op(a) * op(b) where op transposes when TA / TB is set; `c` is any writable Eigen
/// matrix (a column-major map of a row-major buffer yields the transposed product).
template <bool TA, bool TB, class C, class A, class B>
void gemm_into(C&& c, A const& a, B const& b) {
  if constexpr (TA && TB) {
    c.noalias() = a.transpose() * b.transpose();
  } else if constexpr (TA) {
    c.noalias() = a.transpose() * b;
  } else if constexpr (TB) {
    c.noalias() = a * b.transpose();
  } else {
    c.noalias() = a * b;
  }
}

/// Row-major C[m, n] = A[m, k] * B[k, n] on raw buffers.
template <class T>
void gemm_rows(T const* a, T const* b, T* c, std::size_t m, std::size_t k, std::size_t n) {
  Eigen::Map<eigen_row_major<T>> cm(c, static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(n));
  gemm_into<false, false>(cm, map_rows(a, m, k), map_rows(b, k, n));
}

}  // namespace detail

/// Matrix product [m, k] @ [k, n] -> [m, n].
template <class T>
[[nodiscard]] dense<T, 2> matmul(dense<T, 2> const& a, dense<T, 2> const& b) {
  if (a.shape()[1] != b.shape()[0]) {
    detail::fail("matmul",
                 "inner extents differ: " + detail::shape_string(a.shape()) + " @ " + detail::shape_string(b.shape()));
  }
  std::size_t const m = a.shape()[0], k = a.shape()[1], n = b.shape()[1];
  dense<T, 2> out({m, n});
  detail::gemm_rows(a.data(), b.data(), out.data(), m, k, n);
  return out;
}

/// Batched-by-broadcast product [b, m, k] @ [k, n] -> [b, m, n], computed as a single
/// [(b*m), k] @ [k, n] GEMM since the batch and row dims are contiguous.
template <class T>
[[nodiscard]] dense<T, 3> matmul(dense<T, 3> const& a, dense<T, 2> const& b) {
  if (a.shape()[2] != b.shape()[0]) {
    detail::fail("matmul",
                 "inner extents differ: " + detail::shape_string(a.shape()) + " @ " + detail::shape_string(b.shape()));
  }
  std::size_t const nb = a.shape()[0], m = a.shape()[1], k = a.shape()[2], n = b.shape()[1];
  dense<T, 3> out({nb, m, n});
  detail::gemm_rows(a.data(), b.data(), out.data(), nb * m, k, n);
  return out;
}

/// Batch of GEMMs [b, m, k] @ [b, k, n] -> [b, m, n]; batch extents must be equal.
template <class T>
[[nodiscard]] dense<T, 3> matmul(dense<T, 3> const& a, dense<T, 3> const& b) {
  if (a.shape()[0] != b.shape()[0] || a.shape()[2] != b.shape()[1]) {
    detail::fail("matmul", "batch or inner extents differ: " + detail::shape_string(a.shape()) + " @ " +
                               detail::shape_string(b.shape()));
  }
  std::size_t const nb = a.shape()[0], m = a.shape()[1], k = a.shape()[2], n = b.shape()[2];
  dense<T, 3> out({nb, m, n});
  for (std::size_t i = 0; i < nb; ++i) {
    detail::gemm_rows(a.data() + i * m * k, b.data() + i * k * n, out.data() + i * m * n, m, k, n);
  }
  return out;
}

}  // namespace spmd::local
