// The typed layer without Eigen or Boost: built against spmd::core only (include path and {fmt}),
// with a small local tensor type of its own. It checks the rules, the typed ops and printing,
// and that <spmd/spmd.hpp> reached neither library.
#include <spmd/spmd.hpp>

#if defined(EIGEN_WORLD_VERSION)
#error "<spmd/spmd.hpp> must not include Eigen"
#endif
#if defined(BOOST_VERSION) || defined(BOOST_CONFIG_HPP)
#error "<spmd/spmd.hpp> must not include Boost"
#endif
// Eigen lives under eigen3/; only the full target (spmd::spmd) puts that on the include path.
#if __has_include(<Eigen/Core>)
#error "spmd::core must not put Eigen on the include path"
#endif

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

namespace toy {

/// A row-major float matrix with just the kernels this test uses: add, relu, matmul.
struct mat {
  using value_type = float;
  static constexpr std::size_t ndim = 2;
  std::array<std::size_t, 2> ext{};
  std::vector<float> v;

  [[nodiscard]] std::array<std::size_t, 2> shape() const { return ext; }
  [[nodiscard]] float const* data() const { return v.data(); }
  [[nodiscard]] float at(std::size_t i, std::size_t j) const { return v[i * ext[1] + j]; }
};

inline mat add(mat const& a, mat const& b) {
  mat out = a;
  for (std::size_t i = 0; i < out.v.size(); ++i) out.v[i] += b.v[i];
  return out;
}
inline mat relu(mat const& a) {
  mat out = a;
  for (float& x : out.v) x = x > 0 ? x : 0;
  return out;
}
inline mat matmul(mat const& a, mat const& b) {
  mat out{{a.ext[0], b.ext[1]}, std::vector<float>(a.ext[0] * b.ext[1])};
  for (std::size_t i = 0; i < a.ext[0]; ++i)
    for (std::size_t j = 0; j < b.ext[1]; ++j)
      for (std::size_t k = 0; k < a.ext[1]; ++k) out.v[i * b.ext[1] + j] += a.at(i, k) * b.at(k, j);
  return out;
}

}  // namespace toy

namespace {

using namespace spmd;

using Mesh = mesh<"dp", "tp">;
using Act = tensor<toy::mat, Mesh, layout<V, R>>;    // dp: per-rank batch, tp: replicated
using W1 = tensor<toy::mat, Mesh, layout<R, S<1>>>;  // column-parallel weight
using W2 = tensor<toy::mat, Mesh, layout<R, S<0>>>;  // row-parallel weight

// The rules, on layouts alone.
static_assert(
    std::is_same_v<rules::result_layout_t<op::matmul, Mesh, rules::matmul_dims<2, 2>, layout<V, R>, layout<R, S<1>>>,
                   layout<V, S<1>>>);
static_assert(
    std::is_same_v<rules::result_layout_t<op::add, Mesh, rules::same_dims, layout<R, P>, layout<R, P>>, layout<R, P>>);
static_assert(!rules::op_valid<op::mul, Mesh, rules::same_dims, layout<R, P>, layout<R, P>>);  // P * P
static_assert(!rules::op_valid<op::add, Mesh, rules::same_dims, layout<R, R>, layout<R, P>>);  // R + P
static_assert(!rules::op_valid<op::relu, Mesh, rules::same_dims, layout<V, P>>);               // non-linear of P
// A contraction over the sharded dim needs out_partial: without it the rule refuses.
static_assert(!rules::op_valid<op::matmul, Mesh, rules::matmul_dims<2, 2>, layout<V, S<1>>, layout<R, S<0>>>);

// Gradients: R and P swap, V and S<d> stay.
static_assert(std::is_same_v<grad_t<layout<V, R>>, layout<V, P>>);
static_assert(std::is_same_v<grad_t<layout<R, S<1>>>, layout<P, S<1>>>);
static_assert(std::is_same_v<grad_t<W1>, tensor<toy::mat, Mesh, layout<P, S<1>>>>);
static_assert(std::is_same_v<grad_t<grad_t<W2>>, W2>);

// Named and positional layouts name the same type; the wrapper costs nothing.
static_assert(std::is_same_v<tensor<toy::mat, Mesh, layout<at<"tp", S<1>>, at<"dp", R>>>, W1>);
static_assert(sizeof(Act) == sizeof(toy::mat));

// The typed ops derive the layout of each result.
using H = decltype(relu(matmul(std::declval<Act>(), std::declval<W1>())));
static_assert(std::is_same_v<H, tensor<toy::mat, Mesh, layout<V, S<1>>>>);
using Y = decltype(matmul(std::declval<H>(), std::declval<W2>(), out_partial<"tp">));
static_assert(std::is_same_v<Y, tensor<toy::mat, Mesh, layout<V, P>>>);
static_assert(std::is_same_v<decltype(std::declval<Y>() + std::declval<Y>()), Y>);  // P + P stays P

// local::dense is declared, its kernels are not (they need Eigen: <spmd/dense.hpp>).
template <class T>
concept has_add_kernel = requires(T const& a) {
  add(a, a);
};
static_assert(local_tensor<local::dense<float, 2>>);
static_assert(!has_add_kernel<local::dense<float, 2>>);
static_assert(has_add_kernel<toy::mat>);

int failures = 0;

void check(bool ok, char const* what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

}  // namespace

int main() {
  // One rank's pieces of an MLP block: x [2,2], w1 [2,2] (a column slice), w2 [2,1] (a row slice).
  Act x(toy::mat{{2, 2}, {1, -2, 3, 4}});
  W1 w1(toy::mat{{2, 2}, {1, 0, 0, 1}});
  W2 w2(toy::mat{{2, 1}, {1, 1}});

  auto h = relu(matmul(x, w1));               // [[1, 0], [3, 4]]
  auto y = matmul(h, w2, out_partial<"tp">);  // this rank's term of the sum over tp
  auto z = y + y;
  check(h.local().v == std::vector<float>{1, 0, 3, 4}, "relu(matmul(x, w1)) values");
  check(y.local().v == std::vector<float>{1, 7}, "matmul(h, w2) values");
  check(z.local().v == std::vector<float>{2, 14}, "y + y values");

  check(type_name<W1>() == "f32[*,*]{dp:R,tp:S(1)}", "type_name<W1>()");
  check(fmt::format("{}", h) == "f32[2,2]{dp:V,tp:S(1)}", "fmt::format of h");
  check(fmt::format("{}", y) == "f32[2,1]{dp:V,tp:P}", "fmt::format of y");

  if (failures != 0) return 1;
  std::printf("spmd::core: typed layer without Eigen or Boost OK\n");
  return 0;
}
