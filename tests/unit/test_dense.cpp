// Unit tests for spmd::local::dense and its elementwise kernels (checked against naive loops).
#include <spmd/local/dense.hpp>
#include <spmd/local/dense_elementwise.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <random>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "../common/dense_helpers.hpp"

using spmd::local::dense;

namespace {

using spmd_tests::tol;

template <class T, std::size_t Ndim>
dense<T, Ndim> random_dense(std::array<std::size_t, Ndim> shape, std::mt19937& gen, T lo = T(-2), T hi = T(2)) {
  return spmd_tests::random_dense<T, Ndim>(shape, gen, lo, hi);
}

template <class T, std::size_t Ndim, class F>
void check_unary(dense<T, Ndim> const& x, dense<T, Ndim> const& y, F ref) {
  REQUIRE(y.shape() == x.shape());
  for (std::size_t i = 0; i < x.size(); ++i) {
    T const want = ref(x.data()[i]);
    CHECK(y.data()[i] == Approx(want).epsilon(tol<T> * 10).margin(tol<T> * 10));
  }
}

}  // namespace

// ---- type-level checks -------------------------------------------------------------------
static_assert(dense<float, 2>::ndim == 2);
static_assert(std::is_same_v<dense<double, 3>::value_type, double>);
static_assert(std::is_same_v<dense<float, 0>::shape_type, std::array<std::size_t, 0>>);
static_assert(std::is_same_v<decltype(add(dense<float, 2>{}, dense<float, 2>{})), dense<float, 2>>);
static_assert(std::is_same_v<decltype(mul(dense<double, 1>{}, 2.0)), dense<double, 1>>);
static_assert(std::is_same_v<decltype(div(2.0f, dense<float, 3>{})), dense<float, 3>>);
static_assert(std::is_same_v<decltype(gelu(dense<float, 0>{})), dense<float, 0>>);

TEST_CASE("dense: construction, shape and element access", "[dense]") {
  SECTION("default is empty, a 0-dim default holds one element") {
    dense<float, 2> e;
    CHECK(e.shape() == std::array<std::size_t, 2>{0, 0});
    CHECK(e.size() == 0);
    dense<double, 0> s;
    CHECK(s.size() == 1);
    CHECK(s() == 0.0);
    s() = 3.5;
    CHECK(s() == 3.5);
  }
  SECTION("fill constructor and row-major indexing") {
    dense<double, 3> x({2, 3, 4}, 1.5);
    CHECK(x.size() == 24);
    CHECK(x.extent(0) == 2);
    CHECK(x.extent(1) == 3);
    CHECK(x.extent(2) == 4);
    CHECK_THROWS_AS(x.extent(3), std::out_of_range);
    CHECK(x(1, 2, 3) == 1.5);
    x(1, 2, 3) = 7.0;
    CHECK(x.data()[1 * 12 + 2 * 4 + 3] == 7.0);
    x(0, 1, 2) = -1.0;
    CHECK(x.data()[0 * 12 + 1 * 4 + 2] == -1.0);
    dense<double, 3> const& cx = x;
    CHECK(cx(0, 1, 2) == -1.0);
  }
  SECTION("values constructor") {
    dense<float, 2> x({2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6});
    CHECK(x(0, 0) == 1.0f);
    CHECK(x(0, 2) == 3.0f);
    CHECK(x(1, 0) == 4.0f);
    CHECK(x(1, 2) == 6.0f);
    REQUIRE_THROWS_AS((dense<float, 2>({2, 3}, std::vector<float>{1, 2, 3})), std::invalid_argument);
    REQUIRE_THROWS_WITH((dense<float, 2>({2, 3}, std::vector<float>{1, 2, 3})),
                        Catch::StartsWith("spmd: ") && Catch::Contains("[2, 3]"));
  }
  SECTION("equality compares shape and values") {
    dense<double, 2> a({2, 3}, 1.0), b({2, 3}, 1.0), c({3, 2}, 1.0);
    CHECK(a == b);
    CHECK_FALSE(a == c);
    b(1, 1) = 2.0;
    CHECK_FALSE(a == b);
    CHECK(a != b);
  }
  SECTION("release moves the buffer out and leaves an empty tensor") {
    dense<float, 2> a({2, 2}, 4.0f);
    auto v = std::move(a).release();
    CHECK(v.size() == 4);
    CHECK(a.size() == 0);  // NOLINT(bugprone-use-after-move): documented state
    CHECK(a.shape() == std::array<std::size_t, 2>{0, 0});
  }
}

TEMPLATE_TEST_CASE("dense: unary kernels match std:: formulas", "[dense][elementwise]", float, double) {
  using T = TestType;
  std::mt19937 gen(1234);
  auto const x3 = random_dense<T, 3>({2, 3, 5}, gen);
  auto const pos = random_dense<T, 2>({4, 3}, gen, T(0.1), T(5));
  check_unary(x3, neg(x3), [](T v) { return -v; });
  check_unary(x3, exp(x3), [](T v) { return std::exp(v); });
  check_unary(x3, tanh(x3), [](T v) { return std::tanh(v); });
  check_unary(x3, relu(x3), [](T v) { return v < 0 ? T(0) : v; });
  check_unary(pos, log(pos), [](T v) { return std::log(v); });
  check_unary(pos, sqrt(pos), [](T v) { return std::sqrt(v); });
  // GPT-2's tanh approximation, written independently of the kernel.
  auto const gelu_ref = [](T v) {
    double const d = static_cast<double>(v);
    return static_cast<T>(0.5 * d * (1.0 + std::tanh(std::sqrt(2.0 / std::numbers::pi) * (d + 0.044715 * d * d * d))));
  };
  check_unary(x3, gelu(x3), gelu_ref);
  // Known values: gelu(0) = 0, gelu(1) ~ 0.841192, gelu(-1) ~ -0.158808, large x ~ x.
  dense<T, 1> k({4}, std::vector<T>{T(0), T(1), T(-1), T(10)});
  auto const g = gelu(k);
  CHECK(g(0) == Approx(0.0).margin(1e-7));
  CHECK(g(1) == Approx(0.841192).epsilon(1e-5));
  CHECK(g(2) == Approx(-0.158808).epsilon(1e-4));
  CHECK(g(3) == Approx(10.0).epsilon(1e-6));
  // 0 and 1 dims work too; relu keeps exact zeros.
  dense<T, 0> s({}, T(-3));
  CHECK(neg(s)() == T(3));
  CHECK(relu(s)() == T(0));
  // An rvalue operand is transformed in place (no extra copy) and still correct.
  CHECK(exp(dense<T, 1>({3}, T(0))) == dense<T, 1>({3}, T(1)));
}

TEMPLATE_TEST_CASE("dense: binary kernels with equal shapes and scalars", "[dense][elementwise]", float, double) {
  using T = TestType;
  std::mt19937 gen(99);
  auto const a = random_dense<T, 3>({3, 1, 4}, gen);
  auto const b = random_dense<T, 3>({3, 1, 4}, gen, T(0.5), T(3));
  auto const s = add(a, b), d = sub(a, b), m = mul(a, b), q = div(a, b);
  for (std::size_t i = 0; i < a.size(); ++i) {
    T const x = a.data()[i], y = b.data()[i];
    CHECK(s.data()[i] == Approx(x + y).epsilon(tol<T>));
    CHECK(d.data()[i] == Approx(x - y).epsilon(tol<T>).margin(tol<T>));
    CHECK(m.data()[i] == Approx(x * y).epsilon(tol<T>));
    CHECK(q.data()[i] == Approx(x / y).epsilon(tol<T>));
  }
  // Scalar on either side; a double literal works for float tensors.
  auto const as = add(a, 2.0), sa = add(T(2), a), ms = mul(a, 3), sm = mul(T(3), a);
  auto const ds = sub(a, T(1)), sd = sub(T(1), a), vs = div(a, T(4)), sv = div(T(1), b);
  for (std::size_t i = 0; i < a.size(); ++i) {
    T const x = a.data()[i];
    CHECK(as.data()[i] == Approx(x + 2).epsilon(tol<T>));
    CHECK(sa.data()[i] == Approx(2 + x).epsilon(tol<T>));
    CHECK(ms.data()[i] == Approx(x * 3).epsilon(tol<T>));
    CHECK(sm.data()[i] == Approx(3 * x).epsilon(tol<T>));
    CHECK(ds.data()[i] == Approx(x - 1).epsilon(tol<T>));
    CHECK(sd.data()[i] == Approx(1 - x).epsilon(tol<T>));
    CHECK(vs.data()[i] == Approx(x / 4).epsilon(tol<T>));
    CHECK(sv.data()[i] == Approx(1 / b.data()[i]).epsilon(tol<T>));
  }
  // Rank 0 tensors.
  dense<T, 0> x({}, T(2)), y({}, T(5));
  CHECK(mul(x, y)() == Approx(10));
  CHECK(sub(x, y)() == Approx(-3));
}

TEMPLATE_TEST_CASE("dense: broadcasting add/mul against naive loops", "[dense][elementwise]", float, double) {
  using T = TestType;
  std::mt19937 gen(7);
  SECTION("2 dims: row vector, column vector, both ways") {
    auto const a = random_dense<T, 2>({4, 5}, gen);
    auto const row = random_dense<T, 2>({1, 5}, gen);
    auto const col = random_dense<T, 2>({4, 1}, gen);
    auto const r1 = add(a, row), r2 = add(row, a), r3 = mul(a, col), r4 = mul(col, row);
    REQUIRE(r1.shape() == std::array<std::size_t, 2>{4, 5});
    REQUIRE(r2.shape() == r1.shape());
    REQUIRE(r3.shape() == r1.shape());
    REQUIRE(r4.shape() == r1.shape());
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t j = 0; j < 5; ++j) {
        CHECK(r1(i, j) == Approx(a(i, j) + row(0, j)).epsilon(tol<T>));
        CHECK(r2(i, j) == Approx(row(0, j) + a(i, j)).epsilon(tol<T>));
        CHECK(r3(i, j) == Approx(a(i, j) * col(i, 0)).epsilon(tol<T>));
        CHECK(r4(i, j) == Approx(col(i, 0) * row(0, j)).epsilon(tol<T>));
      }
  }
  SECTION("rank 3: several broadcast dims, innermost broadcast") {
    auto const a = random_dense<T, 3>({2, 1, 4}, gen);
    auto const b = random_dense<T, 3>({1, 3, 1}, gen);
    auto const s = add(a, b), p = mul(b, a), q = sub(a, b), r = div(b, add(a, T(5)));
    REQUIRE(s.shape() == std::array<std::size_t, 3>{2, 3, 4});
    REQUIRE(p.shape() == s.shape());
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t j = 0; j < 3; ++j)
        for (std::size_t k = 0; k < 4; ++k) {
          CHECK(s(i, j, k) == Approx(a(i, 0, k) + b(0, j, 0)).epsilon(tol<T>));
          CHECK(p(i, j, k) == Approx(b(0, j, 0) * a(i, 0, k)).epsilon(tol<T>));
          CHECK(q(i, j, k) == Approx(a(i, 0, k) - b(0, j, 0)).epsilon(tol<T>).margin(tol<T>));
          CHECK(r(i, j, k) == Approx(b(0, j, 0) / (a(i, 0, k) + 5)).epsilon(tol<T>));
        }
  }
  SECTION("1 dim and zero-size broadcasting") {
    auto const a = random_dense<T, 1>({6}, gen);
    dense<T, 1> one({1}, T(10));
    auto const s = add(a, one);
    for (std::size_t i = 0; i < 6; ++i) CHECK(s(i) == Approx(a(i) + 10).epsilon(tol<T>));
    // NumPy: an extent 1 broadcasts against 0.
    auto const z = add(dense<T, 2>({0, 3}), dense<T, 2>({1, 3}, T(1)));
    CHECK(z.shape() == std::array<std::size_t, 2>{0, 3});
    CHECK(z.size() == 0);
  }
}

TEST_CASE("dense: binary shape mismatch throws with both shapes", "[dense][elementwise]") {
  dense<float, 2> a({2, 3}), b({3, 3}), c({2, 4});
  REQUIRE_THROWS_AS(add(a, b), std::invalid_argument);
  REQUIRE_THROWS_WITH(add(a, b),
                      Catch::StartsWith("spmd: add") && Catch::Contains("[2, 3]") && Catch::Contains("[3, 3]"));
  REQUIRE_THROWS_WITH(sub(a, c), Catch::StartsWith("spmd: sub") && Catch::Contains("[2, 4]"));
  REQUIRE_THROWS_WITH(mul(b, a), Catch::StartsWith("spmd: mul"));
  REQUIRE_THROWS_WITH(div(c, a), Catch::StartsWith("spmd: div"));
}

TEMPLATE_TEST_CASE("dense: binary kernels on an rvalue first operand reuse its buffer, same values",
                   "[dense][elementwise]", float, double) {
  using T = TestType;
  std::mt19937 gen(11);
  auto const a = random_dense<T, 2>({4, 5}, gen, T(1), T(2));
  // Equal shapes, a one-element operand (the fast path), a row, a column, and a broadcast first
  // operand (no reuse: the result is larger than it).
  std::vector<dense<T, 2>> const others{random_dense<T, 2>({4, 5}, gen, T(1), T(2)),
                                        random_dense<T, 2>({1, 1}, gen, T(1), T(2)),
                                        random_dense<T, 2>({1, 5}, gen, T(1), T(2)),
                                        random_dense<T, 2>({4, 1}, gen, T(1), T(2))};
  auto check = [](dense<T, 2> const& x, dense<T, 2> const& b, auto kernel) {
    auto const want = kernel(x, b);  // the const& kernel, a new buffer
    dense<T, 2> moved = x;
    T const* const buffer = moved.data();
    auto const got = kernel(std::move(moved), b);
    CHECK(got == want);  // exactly the same values
    if (got.shape() == x.shape()) CHECK(got.data() == buffer);
  };
  for (auto const& b : others) {
    check(a, b, [](auto&& x, auto const& y) { return add(std::forward<decltype(x)>(x), y); });
    check(a, b, [](auto&& x, auto const& y) { return sub(std::forward<decltype(x)>(x), y); });
    check(a, b, [](auto&& x, auto const& y) { return mul(std::forward<decltype(x)>(x), y); });
    check(a, b, [](auto&& x, auto const& y) { return div(std::forward<decltype(x)>(x), y); });
    check(b, a, [](auto&& x, auto const& y) { return add(std::forward<decltype(x)>(x), y); });
    check(b, a, [](auto&& x, auto const& y) { return div(std::forward<decltype(x)>(x), y); });
  }
  // The same tensor on both sides: each element is read before it is written.
  dense<T, 2> x = a;
  auto const sum = add(std::move(x), x);
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(sum.data()[i] == a.data()[i] + a.data()[i]);
  // A one-element first operand against a larger second one.
  dense<T, 2> const one({1, 1}, T(3));
  auto const s = sub(one, a);
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(s.data()[i] == T(3) - a.data()[i]);
}
