// Unit tests for the Eigen-backed matmul kernels of spmd::local::dense (vs triple loops).
#include <spmd/local/dense.hpp>
#include <spmd/local/dense_matmul.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <random>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "../common/dense_helpers.hpp"

using spmd::local::dense;

namespace {

using spmd_tests::random_dense;
using spmd_tests::tol;

/// Naive C[m,n] = sum_k A[m,k] B[k,n] on raw row-major buffers, accumulated in double.
template <class T>
std::vector<double> ref_gemm(T const* a, T const* b, std::size_t m, std::size_t k, std::size_t n) {
  std::vector<double> c(m * n, 0.0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t p = 0; p < k; ++p)
        c[i * n + j] += static_cast<double>(a[i * k + p]) * static_cast<double>(b[p * n + j]);
  return c;
}

template <class T>
void check_close(T const* got, std::vector<double> const& want, std::size_t k) {
  // Error grows with the inner dimension.
  double const eps = static_cast<double>(tol<T>) * static_cast<double>(k + 1) * 10;
  for (std::size_t i = 0; i < want.size(); ++i)
    CHECK(static_cast<double>(got[i]) == Approx(want[i]).epsilon(eps).margin(eps));
}

}  // namespace

static_assert(std::is_same_v<decltype(matmul(dense<float, 2>{}, dense<float, 2>{})), dense<float, 2>>);
static_assert(std::is_same_v<decltype(matmul(dense<double, 3>{}, dense<double, 2>{})), dense<double, 3>>);
static_assert(std::is_same_v<decltype(matmul(dense<float, 3>{}, dense<float, 3>{})), dense<float, 3>>);

TEMPLATE_TEST_CASE("dense: matmul 2-D vs triple loop", "[dense][matmul]", float, double) {
  using T = TestType;
  std::mt19937 gen(2024);
  using S = std::array<std::size_t, 3>;
  for (auto [m, k, n] : {S{2, 2, 2}, S{3, 5, 4}, S{1, 7, 1}, S{8, 1, 6}, S{17, 33, 9}}) {
    auto const a = random_dense<T, 2>({m, k}, gen);
    auto const b = random_dense<T, 2>({k, n}, gen);
    auto const c = matmul(a, b);
    REQUIRE(c.shape() == std::array<std::size_t, 2>{m, n});
    check_close(c.data(), ref_gemm(a.data(), b.data(), m, k, n), k);
  }
  // Exact small case.
  dense<T, 2> a({2, 3}, std::vector<T>{1, 2, 3, 4, 5, 6});
  dense<T, 2> b({3, 2}, std::vector<T>{7, 8, 9, 10, 11, 12});
  CHECK(matmul(a, b) == dense<T, 2>({2, 2}, std::vector<T>{58, 64, 139, 154}));
  // Empty inner dimension gives zeros; empty outer gives an empty result.
  CHECK(matmul(dense<T, 2>({2, 0}), dense<T, 2>({0, 3})) == dense<T, 2>({2, 3}, T(0)));
  CHECK(matmul(dense<T, 2>({0, 4}), dense<T, 2>({4, 3})).shape() == std::array<std::size_t, 2>{0, 3});
}

TEMPLATE_TEST_CASE("dense: matmul 3-D @ 2-D and 3-D @ 3-D vs loops", "[dense][matmul]", float, double) {
  using T = TestType;
  std::mt19937 gen(77);
  std::size_t const nb = 3, m = 4, k = 5, n = 2;
  SECTION("[b,m,k] @ [k,n]") {
    auto const a = random_dense<T, 3>({nb, m, k}, gen);
    auto const b = random_dense<T, 2>({k, n}, gen);
    auto const c = matmul(a, b);
    REQUIRE(c.shape() == std::array<std::size_t, 3>{nb, m, n});
    for (std::size_t i = 0; i < nb; ++i)
      check_close(c.data() + i * m * n, ref_gemm(a.data() + i * m * k, b.data(), m, k, n), k);
  }
  SECTION("[b,m,k] @ [b,k,n]") {
    auto const a = random_dense<T, 3>({nb, m, k}, gen);
    auto const b = random_dense<T, 3>({nb, k, n}, gen);
    auto const c = matmul(a, b);
    REQUIRE(c.shape() == std::array<std::size_t, 3>{nb, m, n});
    for (std::size_t i = 0; i < nb; ++i) {
      std::vector<double> want(m * n, 0.0);
      for (std::size_t r = 0; r < m; ++r)
        for (std::size_t q = 0; q < n; ++q)
          for (std::size_t p = 0; p < k; ++p)
            want[r * n + q] += static_cast<double>(a(i, r, p)) * static_cast<double>(b(i, p, q));
      check_close(c.data() + i * m * n, want, k);
    }
  }
}

TEST_CASE("dense: matmul shape mismatch throws with both shapes", "[dense][matmul]") {
  dense<double, 2> a({2, 3}), b({4, 5});
  REQUIRE_THROWS_AS(matmul(a, b), std::invalid_argument);
  REQUIRE_THROWS_WITH(matmul(a, b),
                      Catch::StartsWith("spmd: matmul") && Catch::Contains("[2, 3]") && Catch::Contains("[4, 5]"));
  dense<double, 3> a3({2, 3, 4}), b3({3, 4, 5});
  REQUIRE_THROWS_WITH(matmul(a3, b3), Catch::StartsWith("spmd: matmul") && Catch::Contains("[2, 3, 4]") &&
                                          Catch::Contains("[3, 4, 5]"));
  CHECK(matmul(a3, b).shape() == std::array<std::size_t, 3>{2, 3, 5});  // inner 4 == 4
  REQUIRE_THROWS_WITH(matmul(a3, a),
                      Catch::StartsWith("spmd: matmul") && Catch::Contains("[2, 3, 4]") && Catch::Contains("[2, 3]"));
}
