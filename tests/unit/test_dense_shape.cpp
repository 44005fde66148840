// Unit tests for the layout and reduction kernels of spmd::local::dense:
// sum, mean, softmax, transpose, reshape, unsqueeze, squeeze, concat (vs naive loops).
#include <spmd/local/dense.hpp>
#include <spmd/local/dense_reduce.hpp>
#include <spmd/local/dense_shape.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <random>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "../common/dense_helpers.hpp"

using spmd::local::dense;

namespace {

using spmd_tests::tol;

template <class T, std::size_t Ndim>
dense<T, Ndim> random_dense(std::array<std::size_t, Ndim> shape, std::mt19937& gen, T lo = T(-3), T hi = T(3)) {
  return spmd_tests::random_dense<T, Ndim>(shape, gen, lo, hi);
}

}  // namespace

// ---- result types ------------------------------------------------------------------------
static_assert(std::is_same_v<decltype(sum(dense<float, 2>{}, 0)), dense<float, 1>>);
static_assert(std::is_same_v<decltype(sum(dense<double, 1>{}, 0)), dense<double, 0>>);
static_assert(std::is_same_v<decltype(mean(dense<float, 3>{}, 1)), dense<float, 2>>);
static_assert(std::is_same_v<decltype(softmax(dense<float, 3>{}, 1)), dense<float, 3>>);
static_assert(std::is_same_v<decltype(transpose(dense<double, 3>{}, 0, 2)), dense<double, 3>>);
static_assert(std::is_same_v<decltype(reshape(dense<float, 3>{}, std::array<std::size_t, 1>{0})), dense<float, 1>>);
static_assert(std::is_same_v<decltype(unsqueeze(dense<float, 0>{}, 0)), dense<float, 1>>);
static_assert(std::is_same_v<decltype(squeeze(dense<float, 1>{}, 0)), dense<float, 0>>);
static_assert(std::is_same_v<decltype(concat(dense<float, 2>{}, dense<float, 2>{}, 1)), dense<float, 2>>);

TEMPLATE_TEST_CASE("dense: sum and mean over each dim", "[dense][reduce]", float, double) {
  using T = TestType;
  std::mt19937 gen(42);
  SECTION("rank 3, every dim") {
    auto const x = random_dense<T, 3>({3, 4, 5}, gen);
    auto const s0 = sum(x, 0), s1 = sum(x, 1), s2 = sum(x, 2);
    auto const m0 = mean(x, 0), m1 = mean(x, 1), m2 = mean(x, 2);
    REQUIRE(s0.shape() == std::array<std::size_t, 2>{4, 5});
    REQUIRE(s1.shape() == std::array<std::size_t, 2>{3, 5});
    REQUIRE(s2.shape() == std::array<std::size_t, 2>{3, 4});
    REQUIRE(m1.shape() == s1.shape());
    for (std::size_t j = 0; j < 4; ++j)
      for (std::size_t k = 0; k < 5; ++k) {
        T r = 0;
        for (std::size_t i = 0; i < 3; ++i) r += x(i, j, k);
        CHECK(s0(j, k) == Approx(r).epsilon(tol<T> * 10).margin(tol<T> * 10));
        CHECK(m0(j, k) == Approx(r / 3).epsilon(tol<T> * 10).margin(tol<T> * 10));
      }
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t k = 0; k < 5; ++k) {
        T r = 0;
        for (std::size_t j = 0; j < 4; ++j) r += x(i, j, k);
        CHECK(s1(i, k) == Approx(r).epsilon(tol<T> * 10).margin(tol<T> * 10));
        CHECK(m1(i, k) == Approx(r / 4).epsilon(tol<T> * 10).margin(tol<T> * 10));
      }
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t j = 0; j < 4; ++j) {
        T r = 0;
        for (std::size_t k = 0; k < 5; ++k) r += x(i, j, k);
        CHECK(s2(i, j) == Approx(r).epsilon(tol<T> * 10).margin(tol<T> * 10));
        CHECK(m2(i, j) == Approx(r / 5).epsilon(tol<T> * 10).margin(tol<T> * 10));
      }
  }
  SECTION("1 dim reduces to a 0-dim scalar; 2 dims non-square") {
    dense<T, 1> v({4}, std::vector<T>{1, 2, 3, 4});
    CHECK(sum(v, 0)() == Approx(10));
    CHECK(mean(v, 0)() == Approx(2.5));
    auto const x = random_dense<T, 2>({2, 7}, gen);
    auto const s0 = sum(x, 0), m1 = mean(x, 1);
    for (std::size_t j = 0; j < 7; ++j) CHECK(s0(j) == Approx(x(0, j) + x(1, j)).epsilon(tol<T>).margin(tol<T>));
    for (std::size_t i = 0; i < 2; ++i) {
      T r = 0;
      for (std::size_t j = 0; j < 7; ++j) r += x(i, j);
      CHECK(m1(i) == Approx(r / 7).epsilon(tol<T> * 10).margin(tol<T> * 10));
    }
    // Summing an empty dim gives zeros.
    auto const z = sum(dense<T, 2>({0, 3}), 0);
    CHECK(z == dense<T, 1>({3}, T(0)));
  }
  SECTION("bad dim throws") {
    REQUIRE_THROWS_AS(sum(dense<T, 2>({2, 3}), 2), std::invalid_argument);
    REQUIRE_THROWS_WITH(mean(dense<T, 2>({2, 3}), 5), Catch::StartsWith("spmd: mean") && Catch::Contains("[2, 3]"));
  }
}

TEMPLATE_TEST_CASE("dense: softmax matches reference and sums to 1", "[dense][reduce]", float, double) {
  using T = TestType;
  std::mt19937 gen(5);
  auto const x = random_dense<T, 3>({2, 3, 4}, gen);
  for (std::size_t dim = 0; dim < 3; ++dim) {
    auto const y = softmax(x, dim);
    REQUIRE(y.shape() == x.shape());
    std::array<std::size_t, 3> const& s = x.shape();
    // Enumerate every slice along `dim` and compare with a direct (unshifted) formula.
    for (std::size_t a = 0; a < s[0]; ++a)
      for (std::size_t b = 0; b < s[1]; ++b)
        for (std::size_t c = 0; c < s[2]; ++c) {
          std::array<std::size_t, 3> idx{a, b, c};
          if (idx[dim] != 0) continue;
          double denom = 0, total = 0;
          for (std::size_t k = 0; k < s[dim]; ++k) {
            idx[dim] = k;
            denom += std::exp(static_cast<double>(x(idx[0], idx[1], idx[2])));
          }
          for (std::size_t k = 0; k < s[dim]; ++k) {
            idx[dim] = k;
            double const want = std::exp(static_cast<double>(x(idx[0], idx[1], idx[2]))) / denom;
            CHECK(y(idx[0], idx[1], idx[2]) == Approx(want).epsilon(tol<T> * 10));
            total += static_cast<double>(y(idx[0], idx[1], idx[2]));
          }
          CHECK(total == Approx(1.0).epsilon(tol<T> * 10));
        }
  }
  // Large logits do not overflow thanks to the max shift.
  dense<T, 2> big({1, 3}, std::vector<T>{T(1000), T(1001), T(1002)});
  auto const p = softmax(big, 1);
  CHECK(std::isfinite(p(0, 0)));
  CHECK(p(0, 2) == Approx(0.665240955774822).epsilon(1e-5));
  CHECK(p(0, 1) == Approx(0.244728471054797).epsilon(1e-5));
  CHECK(p(0, 0) == Approx(0.090030573170380).epsilon(1e-5));
  // Rank 1.
  auto const q = softmax(dense<T, 1>({4}, T(2)), 0);
  for (std::size_t i = 0; i < 4; ++i) CHECK(q(i) == Approx(0.25));
  REQUIRE_THROWS_WITH(softmax(x, 3), Catch::StartsWith("spmd: softmax"));
}

TEMPLATE_TEST_CASE("dense: transpose any pair of dims", "[dense][shape]", float, double) {
  using T = TestType;
  std::mt19937 gen(11);
  auto const x = random_dense<T, 3>({2, 3, 4}, gen);
  auto const t01 = transpose(x, 0, 1), t02 = transpose(x, 0, 2), t12 = transpose(x, 2, 1);
  REQUIRE(t01.shape() == std::array<std::size_t, 3>{3, 2, 4});
  REQUIRE(t02.shape() == std::array<std::size_t, 3>{4, 3, 2});
  REQUIRE(t12.shape() == std::array<std::size_t, 3>{2, 4, 3});
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t k = 0; k < 4; ++k) {
        CHECK(t01(j, i, k) == x(i, j, k));
        CHECK(t02(k, j, i) == x(i, j, k));
        CHECK(t12(i, k, j) == x(i, j, k));
      }
  CHECK(transpose(x, 1, 1) == x);
  CHECK(transpose(t02, 0, 2) == x);
  auto const m = random_dense<T, 2>({3, 5}, gen);
  auto const mt = transpose(m, 0, 1);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 5; ++j) CHECK(mt(j, i) == m(i, j));
  REQUIRE_THROWS_WITH(transpose(x, 0, 3), Catch::StartsWith("spmd: transpose") && Catch::Contains("[2, 3, 4]"));
}

TEMPLATE_TEST_CASE("dense: reshape, unsqueeze, squeeze", "[dense][shape]", float, double) {
  using T = TestType;
  std::mt19937 gen(3);
  auto const x = random_dense<T, 3>({2, 3, 4}, gen);
  SECTION("reshape keeps row-major order") {
    auto const r = reshape(x, std::array<std::size_t, 2>{6, 4});
    REQUIRE(r.shape() == std::array<std::size_t, 2>{6, 4});
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t j = 0; j < 3; ++j)
        for (std::size_t k = 0; k < 4; ++k) CHECK(r(i * 3 + j, k) == x(i, j, k));
    auto const flat = reshape(x, std::array<std::size_t, 1>{24});
    for (std::size_t i = 0; i < 24; ++i) CHECK(flat(i) == x.data()[i]);
    CHECK(reshape(flat, std::array<std::size_t, 3>{2, 3, 4}) == x);
    // An rvalue's buffer is taken over rather than copied.
    auto copy = x;
    T const* buf = copy.data();
    auto const moved = reshape(std::move(copy), std::array<std::size_t, 4>{1, 2, 12, 1});
    CHECK(moved.data() == buf);
    CHECK(moved.values() == x.values());
    // rank 0 <-> rank 1/2
    auto const s = reshape(dense<T, 1>({1}, T(9)), std::array<std::size_t, 0>{});
    CHECK(s() == T(9));
    auto const s2 = reshape(s, std::array<std::size_t, 2>{1, 1});
    CHECK(s2(0, 0) == T(9));
    REQUIRE_THROWS_AS(reshape(x, std::array<std::size_t, 2>{5, 5}), std::invalid_argument);
    REQUIRE_THROWS_WITH(reshape(x, std::array<std::size_t, 2>{5, 5}), Catch::StartsWith("spmd: reshape") &&
                                                                          Catch::Contains("[2, 3, 4]") &&
                                                                          Catch::Contains("[5, 5]"));
  }
  SECTION("unsqueeze at every position, squeeze back") {
    for (std::size_t d = 0; d <= 3; ++d) {
      auto const u = unsqueeze(x, d);
      std::array<std::size_t, 4> want{};
      for (std::size_t i = 0, s = 0; i < 4; ++i) want[i] = i == d ? 1 : x.shape()[s++];
      CHECK(u.shape() == want);
      CHECK(u.values() == x.values());
      CHECK(squeeze(u, d) == x);
    }
    auto const s = unsqueeze(dense<T, 0>({}, T(4)), 0);
    CHECK(s.shape() == std::array<std::size_t, 1>{1});
    CHECK(s(0) == T(4));
    CHECK(squeeze(s, 0)() == T(4));
    REQUIRE_THROWS_WITH(unsqueeze(x, 4), Catch::StartsWith("spmd: unsqueeze"));
    REQUIRE_THROWS_WITH(squeeze(x, 1), Catch::StartsWith("spmd: squeeze") && Catch::Contains("[2, 3, 4]"));
    REQUIRE_THROWS_WITH(squeeze(x, 3), Catch::StartsWith("spmd: squeeze"));
  }
}

TEMPLATE_TEST_CASE("dense: concat along each dim", "[dense][shape]", float, double) {
  using T = TestType;
  std::mt19937 gen(8);
  SECTION("rank 3") {
    for (std::size_t dim = 0; dim < 3; ++dim) {
      std::array<std::size_t, 3> sa{2, 3, 4}, sb{2, 3, 4};
      sb[dim] = 5;
      auto const a = random_dense<T, 3>(sa, gen);
      auto const b = random_dense<T, 3>(sb, gen);
      auto const c = concat(a, b, dim);
      auto sc = sa;
      sc[dim] += 5;
      REQUIRE(c.shape() == sc);
      for (std::size_t i = 0; i < sc[0]; ++i)
        for (std::size_t j = 0; j < sc[1]; ++j)
          for (std::size_t k = 0; k < sc[2]; ++k) {
            std::array<std::size_t, 3> idx{i, j, k};
            if (idx[dim] < sa[dim]) {
              CHECK(c(i, j, k) == a(i, j, k));
            } else {
              idx[dim] -= sa[dim];
              CHECK(c(i, j, k) == b(idx[0], idx[1], idx[2]));
            }
          }
    }
  }
  SECTION("rank 1 and empty operand") {
    dense<T, 1> a({2}, std::vector<T>{1, 2}), b({3}, std::vector<T>{3, 4, 5});
    CHECK(concat(a, b, 0) == dense<T, 1>({5}, std::vector<T>{1, 2, 3, 4, 5}));
    CHECK(concat(dense<T, 1>({0}), b, 0) == b);
  }
  SECTION("mismatch throws naming both shapes") {
    dense<T, 2> a({2, 3}), b({4, 2});
    REQUIRE_THROWS_AS(concat(a, b, 0), std::invalid_argument);
    REQUIRE_THROWS_WITH(concat(a, b, 0),
                        Catch::StartsWith("spmd: concat") && Catch::Contains("[2, 3]") && Catch::Contains("[4, 2]"));
    REQUIRE_THROWS_WITH(concat(a, a, 2), Catch::StartsWith("spmd: concat"));
  }
}
