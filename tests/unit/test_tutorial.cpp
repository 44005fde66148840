// The snippets of docs/tutorial.md, checked.
#include <catch2/catch.hpp>

#include <spmd/dense.hpp>

using namespace spmd;

namespace {
using Mesh = mesh<"dp", "tp">;
using Mat = local::dense<float, 2>;
using X = tensor<Mat, Mesh, layout<V, R>>;
using W1 = tensor<Mat, Mesh, layout<R, S<1>>>;
using W2 = tensor<Mat, Mesh, layout<R, S<0>>>;
}  // namespace

TEST_CASE("tutorial: a mesh, a layout, ops that compute layouts", "[docs]") {
  STATIC_REQUIRE(std::is_same_v<tensor<Mat, Mesh, layout<at<"tp", R>, at<"dp", V>>>, X>);
  STATIC_REQUIRE(sizeof(X) == sizeof(Mat));

  X x{Mat({8, 16}, 0.0f)};
  CHECK(fmt::format("{}", x) == "f32[8,16]{dp:V,tp:R}");

  W1 w1{Mat({16, 4}, 1.0f)};
  W2 w2{Mat({4, 16}, 1.0f)};
  auto h = gelu(matmul(x, w1));
  auto y = matmul(h, w2, out_partial<"tp">);
  CHECK(type_name<decltype(h)>() == "f32[*,*]{dp:V,tp:S(1)}");
  CHECK(type_name<decltype(y)>() == "f32[*,*]{dp:V,tp:P}");

  // The linear uses of a pending sum that section 3 allows.
  using Y = decltype(y);
  STATIC_REQUIRE(std::is_same_v<decltype(y * 0.5f), Y>);
  STATIC_REQUIRE(std::is_same_v<decltype(y + y), Y>);
  STATIC_REQUIRE(std::is_same_v<decltype(matmul(y, tensor<Mat, Mesh, layout<V, R>>{})), Y>);

  // Section 4: the gradient of the column-parallel weight is a pending sum over dp.
  STATIC_REQUIRE(std::is_same_v<grad_t<W1>, tensor<Mat, Mesh, layout<P, S<1>>>>);
}
