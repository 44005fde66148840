// The typed layer: values equal the local kernels' (the wrapper adds nothing), types print.
#include <catch2/catch.hpp>

#include <array>
#include <random>
#include <vector>

#include <spmd/dense.hpp>

#include "../common/dense_helpers.hpp"

using namespace spmd;

namespace {

using M = mesh<"dp", "tp">;
using L2 = local::dense<float, 2>;

/// A float matrix with elements drawn from [-1, 1) by a generator of its own seed.
L2 random_dense(std::array<std::size_t, 2> shape, unsigned seed) {
  std::mt19937 gen(seed);
  return spmd_tests::random_dense<float, 2>(shape, gen);
}

}  // namespace

TEST_CASE("type_name and fmt print the element type, extents and layout", "[format]") {
  using W = tensor<L2, M, layout<at<"tp", S<1>>, at<"dp", R>>>;
  CHECK(type_name<W>() == "f32[*,*]{dp:R,tp:S(1)}");
  CHECK(type_name<tensor<local::dense<double, 1>, mesh<"dp">, layout<P>>>() == "f64[*]{dp:P}");
  CHECK(type_name<tensor<local::dense<double, 0>, M, layout<I, jax::unreduced>>>() == "f64[]{dp:I,tp:P}");
  W w{L2({8, 16}, 0.0f)};
  CHECK(fmt::format("{}", w) == "f32[8,16]{dp:R,tp:S(1)}");
  CHECK(fmt::format("[{:>26}]", w) == "[   f32[8,16]{dp:R,tp:S(1)}]");
  CHECK(layout_name<M, layout<Shard<0>, Partial>>() == "{dp:S(0),tp:P}");
  CHECK(placement_name<S<12>>() == "S(12)");
}

TEST_CASE("typed ops compute exactly what the local kernels compute", "[ops]") {
  using A = tensor<L2, M, layout<V, R>>;
  using W = tensor<L2, M, layout<R, S<1>>>;
  L2 const xa = random_dense({4, 3}, 1), wa = random_dense({3, 5}, 2), xb = random_dense({4, 3}, 3);
  A x{xa}, y{xb};
  W w{wa};

  auto h = gelu(matmul(x, w));
  STATIC_REQUIRE(std::is_same_v<decltype(h), tensor<L2, M, layout<V, S<1>>>>);
  CHECK(h.local() == local::gelu(local::matmul(xa, wa)));

  auto s = (x + y) * 2.0f - x / 4.0f;
  STATIC_REQUIRE(std::is_same_v<decltype(s), A>);
  CHECK(s.local() == local::sub(local::mul(local::add(xa, xb), 2.0f), local::div(xa, 4.0f)));

  CHECK(sum<1>(x).local() == local::sum(xa, 1));
  CHECK(transpose<0, 1>(x).local() == local::transpose(xa, 0, 1));
  CHECK(softmax<1>(x).local() == local::softmax(xa, 1));
  CHECK(concat<0>(x, y).local() == local::concat(xa, xb, 0));
  CHECK(einsum<"ij,jk->ik">(x, w).local() == local::einsum(local::einsum_spec<"ij,jk->ik">{}, xa, wa));
  CHECK((-x).local() == local::neg(xa));
}

TEST_CASE("a row-parallel matmul yields a pending sum that adds up to the serial product", "[ops]") {
  // Two tp ranks hold halves of the contracted dim; each local product is a P@tp piece.
  L2 const x = random_dense({3, 4}, 7), w = random_dense({4, 2}, 8);
  using H = tensor<L2, mesh<"tp">, layout<S<1>>>;
  using W2 = tensor<L2, mesh<"tp">, layout<S<0>>>;
  std::vector<float> total(3 * 2, 0.0f);
  for (std::size_t rank = 0; rank < 2; ++rank) {
    L2 xs({3, 2}), ws({2, 2});
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t k = 0; k < 2; ++k) xs(i, k) = x(i, 2 * rank + k);
    for (std::size_t k = 0; k < 2; ++k)
      for (std::size_t j = 0; j < 2; ++j) ws(k, j) = w(2 * rank + k, j);
    auto part = matmul(H{xs}, W2{ws}, out_partial<"tp">);
    STATIC_REQUIRE(std::is_same_v<decltype(part), tensor<L2, mesh<"tp">, layout<P>>>);
    for (std::size_t i = 0; i < 6; ++i) total[i] += part.local().data()[i];
  }
  L2 const serial = local::matmul(x, w);
  for (std::size_t i = 0; i < 6; ++i) CHECK(total[i] == Approx(serial.data()[i]).margin(1e-6));
}

TEST_CASE("shape errors in a typed op surface as the local kernel's exception", "[ops]") {
  using A = tensor<L2, M, layout<V, V>>;
  A a{L2({2, 3}, 1.0f)}, b{L2({3, 2}, 1.0f)};
  CHECK_THROWS_WITH(a + b, Catch::StartsWith("spmd: "));
  CHECK_THROWS_WITH(matmul(a, a), Catch::StartsWith("spmd: "));
}

TEST_CASE("an R operand next to a shard must broadcast along the shard's dim", "[ops]") {
  using Shard = tensor<L2, M, layout<V, S<0>>>;  // tokens sharded over tp
  using Whole = tensor<L2, M, layout<V, R>>;
  Shard const x{random_dense({2, 3}, 11)};
  Whole const bias{random_dense({1, 3}, 12)};  // one row: broadcasts along the tokens
  auto const y = x + bias;
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(y)>, Shard>);
  CHECK(y.local() == local::add(x.local(), bias.local()));
  CHECK((bias * x).local() == local::mul(bias.local(), x.local()));

  // Whole values with the shard's extents: what all_reduce gives where reduce_scatter should
  // have given S(0). The extents agree, the global shapes do not: rejected all the same.
  Whole const summed{random_dense({2, 3}, 13)};
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(x + summed, Contains("on mesh axis 'tp' the result is sharded along dim 0") &&
                                    Contains("operand 2 is R with extent 2 along its dim 0") &&
                                    Contains("reduce_scatter<\"tp\", 0>"));
  CHECK_THROWS_WITH(summed - x, Contains("operand 1 is R with extent 2"));
  CHECK_THROWS_AS(concat<1>(x, summed), std::invalid_argument);

  // A number, and an R along another dim than the shard's, need no check.
  CHECK((x * 2.0f).local() == local::mul(x.local(), 2.0f));
  using ColShard = tensor<L2, M, layout<V, S<1>>>;
  ColShard const c{random_dense({4, 2}, 14)};
  Whole const per_row{random_dense({4, 1}, 15)};
  CHECK((c + per_row).local() == local::add(c.local(), per_row.local()));
}
