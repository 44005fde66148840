// spmd::torch_tensor: what it models, its value semantics, every built-in typed op on it against
// the same op on local::dense (values to 1e-12, result types with the same layout), and the
// errors it reports.
#include "torch_test_common.hpp"

#include <cstdint>
#include <string_view>
#include <utility>

#include <spmd/local/buffer.hpp>
#include <spmd/local/differentiable.hpp>

using namespace torch_test;

namespace {

// What each layer needs (docs/local_tensors.md). bfloat16 computes and differentiates, but the
// communicators send float and double only: the collectives refuse it at compile time.
static_assert(local_tensor<TT<float, 2>> && buffer_tensor<TT<float, 2>> && row_major_tensor<TT<float, 2>> &&
              differentiable_tensor<TT<float, 2>>);
static_assert(local_tensor<TT<double, 2>> && buffer_tensor<TT<double, 2>> && row_major_tensor<TT<double, 2>> &&
              differentiable_tensor<TT<double, 2>>);
static_assert(local_tensor<TT<double, 0>> && row_major_tensor<TT<double, 3>>);
static_assert(local_tensor<TT<c10::BFloat16, 2>> && differentiable_tensor<TT<c10::BFloat16, 2>>);
static_assert(!buffer_tensor<TT<c10::BFloat16, 2>> && !row_major_tensor<TT<c10::BFloat16, 2>>);
static_assert(std::is_same_v<spmd::torch_tensor<float, 3>, spmd::aten::torch_tensor<float, 3>>);
static_assert(std::is_same_v<decltype(std::declval<TT<float, 2>&>().data()), float*>);
static_assert(std::is_same_v<decltype(std::declval<TT<c10::BFloat16, 1> const&>().data()), c10::BFloat16 const*>);

/// Runs `f` on the typed dense arguments and on the same arguments over torch_tensor: the result
/// types must be the same tensor type over the other local type, the values equal to 1e-12.
template <class F, class... A>
void check_op(std::string_view name, F const& f, A const&... args) {
  auto const d = f(args...);
  auto const t = f(as_torch(args)...);
  using DR = std::remove_cvref_t<decltype(d)>;
  using TR = std::remove_cvref_t<decltype(t)>;
  static_assert(std::is_same_v<typename TR::layout_type, typename DR::layout_type>);
  static_assert(std::is_same_v<TR, torch_of<DR>>);
  INFO("op " << name);
  REQUIRE(t.local().shape() == d.local().shape());
  CHECK(max_rel_diff(to_dense(t.local()), d.local()) <= 1e-12);
}

/// Any rank, coordinate 0 on every axis: enough for dropout's key on a one-axis mesh.
struct any_rank {
  std::size_t coord(std::string_view) const { return 0; }
};

using XS0 = tensor<D<2>, M1, layout<S<0>>>;
using XS1 = tensor<D<2>, M1, layout<S<1>>>;
using XR = tensor<D<2>, M1, layout<R>>;
using XP = tensor<D<2>, M1, layout<P>>;
using X3 = tensor<D<3>, M1, layout<S<0>>>;
using X3R = tensor<D<3>, M1, layout<R>>;
using X1R = tensor<D<1>, M1, layout<R>>;

}  // namespace

TEST_CASE("torch_tensor: construction, value semantics, element access", "[torch]") {
  TT<double, 2> a({2, 3}, 1.5);
  CHECK((a.shape() == std::array<std::size_t, 2>{2, 3}));
  CHECK(a.size() == 6);
  CHECK(a.extent(1) == 3);
  CHECK_THROWS_WITH(a.extent(2), Catch::Contains("spmd: torch_tensor::extent: dim 2 out of range"));
  CHECK(a.aten().is_contiguous());
  CHECK(a.device() == ::at::Device(::at::kCPU));
  a(1, 2) = 4.0;
  CHECK(a.data()[5] == 4.0);

  // Copies are values: a copy shares the storage until one of them writes (copy on write), so a
  // collective writing into one does not change the other.
  TT<double, 2> b = a;
  CHECK(std::as_const(b).aten().data_ptr() == std::as_const(a).aten().data_ptr());
  b(0, 0) = -1.0;
  CHECK(std::as_const(b).aten().data_ptr() != std::as_const(a).aten().data_ptr());
  CHECK(a(0, 0) == 1.5);
  b = a;
  CHECK(b(1, 2) == 4.0);
  b(1, 2) = 0.0;
  CHECK(a(1, 2) == 4.0);

  // Defaults: extents 0, or one element at rank 0 (as local::dense).
  CHECK((TT<float, 2>().size() == 0));
  CHECK((TT<float, 0>().size() == 1));
  CHECK((TT<float, 0>().aten().dim() == 0));

  // Wrapping an at::Tensor: a non-contiguous one is made contiguous (row-major data()).
  ::at::Tensor const m = ::at::arange(6, ::at::kDouble).reshape({2, 3});
  TT<double, 2> const tr(m.t());
  CHECK((tr.shape() == std::array<std::size_t, 2>{3, 2}));
  CHECK(tr.aten().is_contiguous());
  CHECK((std::vector<double>(tr.data(), tr.data() + 6) == std::vector<double>{0, 3, 1, 4, 2, 5}));
  TT<double, 2> const wrapped(m);
  CHECK(wrapped(1, 0) == 3.0);
  // Wrapping a contiguous tensor shares its storage; a write through data() clones first, so the
  // caller's at::Tensor never changes.
  TT<double, 2> shared(m);
  CHECK(std::as_const(shared).data() == m.data_ptr<double>());
  shared(0, 0) = 42.0;
  CHECK(m[0][0].item<double>() == 0.0);
  CHECK(shared(0, 0) == 42.0);
  // A tensor that shares nothing is written in place (no copy).
  TT<double, 2> alone({2, 2}, 0.0);
  double const* before = std::as_const(alone).data();
  alone(1, 1) = 1.0;
  CHECK(std::as_const(alone).data() == before);

  // A result that ATen would give as a view (narrow along dim 0, a one-operand einsum) owns its
  // data.
  TT<double, 2> x({4, 2}, std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7});
  auto piece = aten::narrow(x, 0, 0, 2);
  piece(0, 0) = 100.0;
  CHECK(x(0, 0) == 0.0);
  auto same = aten::einsum(local::einsum_spec<"ij->ij">{}, x);
  same(1, 1) = 100.0;
  CHECK(x(1, 1) == 3.0);
  auto t = aten::transpose(TT<double, 2>({1, 3}, 2.0), 0, 1);
  CHECK((t.shape() == std::array<std::size_t, 2>{3, 1}));
}

TEST_CASE("torch_tensor: elementwise typed ops equal local::dense", "[torch][ops]") {
  std::mt19937 gen(7);
  XS0 const x{spmd_tests::random_dense<double, 2>({4, 5}, gen)}, y{spmd_tests::random_dense<double, 2>({4, 5}, gen)};
  XS0 const pos{spmd_tests::random_dense<double, 2>({4, 5}, gen, 0.5, 1.5)};
  XR const row{spmd_tests::random_dense<double, 2>({1, 5}, gen, 0.5, 1.5)};
  XP const p{spmd_tests::random_dense<double, 2>({4, 5}, gen)}, q{spmd_tests::random_dense<double, 2>({4, 1}, gen)};

  check_op(
      "neg", [](auto const& a) { return spmd::neg(a); }, x);
  check_op(
      "unary -", [](auto const& a) { return -a; }, x);
  check_op(
      "exp", [](auto const& a) { return spmd::exp(a); }, x);
  check_op(
      "log", [](auto const& a) { return spmd::log(a); }, pos);
  check_op(
      "tanh", [](auto const& a) { return spmd::tanh(a); }, x);
  check_op(
      "sqrt", [](auto const& a) { return spmd::sqrt(a); }, pos);
  check_op(
      "rsqrt", [](auto const& a) { return spmd::rsqrt(a); }, pos);
  check_op(
      "abs", [](auto const& a) { return spmd::abs(a); }, x);
  check_op(
      "relu", [](auto const& a) { return spmd::relu(a); }, x);
  check_op(
      "gelu", [](auto const& a) { return spmd::gelu(a); }, x);
  check_op(
      "pow", [](auto const& a) { return spmd::pow(a, 2.5); }, pos);
  check_op(
      "clamp", [](auto const& a) { return spmd::clamp(a, -0.4, 0.3); }, x);
  check_op(
      "softmax<1>", [](auto const& a) { return spmd::softmax<1>(a); }, x);
  check_op(
      "log_softmax<1>", [](auto const& a) { return spmd::log_softmax<1>(a); }, x);
  check_op(
      "softmax<0> of R", [](auto const& a) { return spmd::softmax<0>(a); }, XR{x.local()});
  check_op(
      "log_softmax<0> of R", [](auto const& a) { return spmd::log_softmax<0>(a); }, XR{x.local()});

  // Tensors (with an R row broadcast over the S<0> rows), and numbers on either side.
  check_op(
      "a + b", [](auto const& a, auto const& b) { return a + b; }, x, y);
  check_op(
      "a + row", [](auto const& a, auto const& b) { return a + b; }, x, row);
  check_op(
      "row - a", [](auto const& a, auto const& b) { return b - a; }, x, row);
  check_op(
      "a * row", [](auto const& a, auto const& b) { return a * b; }, x, row);
  check_op(
      "a / row", [](auto const& a, auto const& b) { return a / b; }, x, row);
  check_op(
      "P + P (broadcast)", [](auto const& a, auto const& b) { return a + b; }, p, q);
  check_op(
      "a + s", [](auto const& a) { return a + 2.0; }, x);
  check_op(
      "s + a", [](auto const& a) { return 0.5 + a; }, x);
  check_op(
      "a - s", [](auto const& a) { return a - 0.25; }, x);
  check_op(
      "s - a", [](auto const& a) { return 3.0 - a; }, x);
  check_op(
      "a * s", [](auto const& a) { return a * 3.0; }, x);
  check_op(
      "s * a", [](auto const& a) { return 1.5 * a; }, x);
  check_op(
      "a / s", [](auto const& a) { return a / 7.0; }, x);
  check_op(
      "s / a", [](auto const& a) { return 1.5 / a; }, pos);

  check_op(
      "maximum", [](auto const& a, auto const& b) { return spmd::maximum(a, b); }, x, y);
  check_op(
      "maximum broadcast", [](auto const& a, auto const& b) { return spmd::maximum(a, b); }, x, row);
  check_op(
      "maximum(a, s)", [](auto const& a) { return spmd::maximum(a, 0.1); }, x);
  check_op(
      "maximum(s, a)", [](auto const& a) { return spmd::maximum(-0.1, a); }, x);
  check_op(
      "minimum", [](auto const& a, auto const& b) { return spmd::minimum(a, b); }, x, y);
  check_op(
      "minimum broadcast", [](auto const& a, auto const& b) { return spmd::minimum(b, a); }, x, row);
  check_op(
      "minimum(a, s)", [](auto const& a) { return spmd::minimum(a, 0.1); }, x);
  check_op(
      "minimum(s, a)", [](auto const& a) { return spmd::minimum(-0.1, a); }, x);

  D<2> mask({4, 1});
  mask(0, 0) = 1;
  mask(2, 0) = 1;
  XR const m{mask}, xr{x.local()}, yr{y.local()};
  check_op(
      "where", [](auto const& c, auto const& a, auto const& b) { return spmd::where(c, a, b); }, m, xr, yr);
  check_op(
      "where(m, a, s)", [](auto const& c, auto const& a) { return spmd::where(c, a, 7.0); }, m, xr);
  check_op(
      "where(m, s, b)", [](auto const& c, auto const& b) { return spmd::where(c, -7.0, b); }, m, yr);
}

TEST_CASE("torch_tensor: reductions and views equal local::dense", "[torch][ops]") {
  std::mt19937 gen(11);
  XS0 const x{spmd_tests::random_dense<double, 2>({4, 6}, gen)}, y{spmd_tests::random_dense<double, 2>({4, 2}, gen)};
  XR const xr{x.local()};
  X3 const x3{spmd_tests::random_dense<double, 3>({2, 3, 4}, gen)};
  X3R const x3r{x3.local()};
  X1R const v{spmd_tests::random_dense<double, 1>({5}, gen)};

  check_op(
      "sum<1>", [](auto const& a) { return spmd::sum<1>(a); }, x);
  check_op(
      "sum<0> out_partial", [](auto const& a) { return spmd::sum<0>(a, out_partial<"tp">); }, x);
  check_op(
      "mean<1>", [](auto const& a) { return spmd::mean<1>(a); }, x);
  check_op(
      "mean<0> of R", [](auto const& a) { return spmd::mean<0>(a); }, xr);
  check_op(
      "sum<2> rank 3", [](auto const& a) { return spmd::sum<2>(a); }, x3);
  check_op(
      "mean<1> rank 3", [](auto const& a) { return spmd::mean<1>(a); }, x3);
  check_op(
      "sum<0> rank 1 -> 0", [](auto const& a) { return spmd::sum<0>(a); }, v);
  check_op(
      "sum_all R", [](auto const& a) { return spmd::sum_all(a); }, xr);
  check_op(
      "sum_all S<0> (P)", [](auto const& a) { return spmd::sum_all(a); }, x);
  check_op(
      "softmax<2> rank 3", [](auto const& a) { return spmd::softmax<2>(a); }, x3);

  check_op(
      "transpose<0, 1>", [](auto const& a) { return spmd::transpose<0, 1>(a); }, x);
  check_op(
      "transpose<0, 2> rank 3", [](auto const& a) { return spmd::transpose<0, 2>(a); }, x3r);
  check_op(
      "transpose<1, 2> rank 3", [](auto const& a) { return spmd::transpose<1, 2>(a); }, x3);
  check_op(
      "reshape",
      [](auto const& a) {
        return spmd::reshape(a, std::array<std::size_t, 3>{2, 3, 4});
      },
      xr);
  check_op(
      "reshape 3 -> 2",
      [](auto const& a) {
        return spmd::reshape(a, std::array<std::size_t, 2>{6, 4});
      },
      x3r);
  check_op(
      "unsqueeze<0>", [](auto const& a) { return spmd::unsqueeze<0>(a); }, x);
  check_op(
      "unsqueeze<2>", [](auto const& a) { return spmd::unsqueeze<2>(a); }, x);
  check_op(
      "squeeze<1>", [](auto const& a) { return spmd::squeeze<1>(spmd::unsqueeze<1>(a)); }, x);
  check_op(
      "squeeze<0> of [1, n]", [](auto const& a) { return spmd::squeeze<0>(spmd::sum_all(a)); }, xr);
  check_op(
      "concat<1>", [](auto const& a, auto const& b) { return spmd::concat<1>(a, b); }, x, y);
  check_op(
      "concat<0> of R", [](auto const& a) { return spmd::concat<0>(a, a); }, xr);
  check_op(
      "narrow<1>", [](auto const& a) { return spmd::narrow<1>(a, 1, 3); }, x);
  check_op(
      "narrow<0> of R", [](auto const& a) { return spmd::narrow<0>(a, 1, 2); }, xr);
}

TEST_CASE("torch_tensor: matmul and einsum equal local::dense", "[torch][ops]") {
  std::mt19937 gen(13);
  auto rnd = [&]<std::size_t N>(std::array<std::size_t, N> s) { return spmd_tests::random_dense<double, N>(s, gen); };
  XS0 const a{rnd(std::array<std::size_t, 2>{4, 3})};
  XR const w{rnd(std::array<std::size_t, 2>{3, 5})}, wt{rnd(std::array<std::size_t, 2>{5, 3})};
  XS1 const c{rnd(std::array<std::size_t, 2>{4, 3})};
  tensor<D<2>, M1, layout<S<0>>> const rows{rnd(std::array<std::size_t, 2>{3, 5})};
  X3 const b3{rnd(std::array<std::size_t, 3>{2, 4, 3})}, c3{rnd(std::array<std::size_t, 3>{2, 3, 5})};
  X1R const v{rnd(std::array<std::size_t, 1>{3})};
  tensor<D<4>, M1, layout<R>> const q{rnd(std::array<std::size_t, 4>{2, 2, 3, 4})},
      k{rnd(std::array<std::size_t, 4>{2, 2, 5, 4})};

  check_op(
      "matmul 2x2", [](auto const& x, auto const& y) { return spmd::matmul(x, y); }, a, w);
  check_op(
      "matmul out_partial", [](auto const& x, auto const& y) { return spmd::matmul(x, y, out_partial<"tp">); }, c,
      rows);
  check_op(
      "matmul 3x2", [](auto const& x, auto const& y) { return spmd::matmul(x, y); }, b3, w);
  check_op(
      "matmul 3x3", [](auto const& x, auto const& y) { return spmd::matmul(x, y); }, b3, c3);
  check_op(
      "einsum ij,jk->ik", [](auto const& x, auto const& y) { return spmd::einsum<"ij,jk->ik">(x, y); }, a, w);
  check_op(
      "einsum ik,jk->ij", [](auto const& x, auto const& y) { return spmd::einsum<"ik,jk->ij">(x, y); }, a, wt);
  check_op(
      "einsum ij,jk->ki", [](auto const& x, auto const& y) { return spmd::einsum<"ij,jk->ki">(x, y); }, a, w);
  check_op(
      "einsum bij,bjk->bik", [](auto const& x, auto const& y) { return spmd::einsum<"bij,bjk->bik">(x, y); }, b3, c3);
  check_op(
      "einsum bhqd,bhkd->bhqk", [](auto const& x, auto const& y) { return spmd::einsum<"bhqd,bhkd->bhqk">(x, y); }, q,
      k);
  check_op(
      "einsum ij,j->i", [](auto const& x, auto const& y) { return spmd::einsum<"ij,j->i">(x, y); }, a, v);
  check_op(
      "einsum ij->ji", [](auto const& x) { return spmd::einsum<"ij->ji">(x); }, a);
  check_op(
      "einsum ij->i", [](auto const& x) { return spmd::einsum<"ij->i">(x); }, a);
  check_op(
      "einsum bij->bj", [](auto const& x) { return spmd::einsum<"bij->bj">(x); }, b3);
}

TEST_CASE("torch_tensor: dropout draws local::dense's mask", "[torch][ops][dropout]") {
  std::mt19937 gen(17);
  XS0 const x{spmd_tests::random_dense<double, 2>({16, 32}, gen)};
  XR const xr{x.local()};
  dropout_generator gd(1234), gt(1234);
  for (int call = 0; call < 3; ++call) {
    auto const d = spmd::dropout(any_rank{}, x, 0.3, gd);
    auto const t = spmd::dropout(any_rank{}, as_torch(x), 0.3, gt);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(t)>, torch_of<XS0>>);
    std::size_t dropped = 0;
    bool same_mask = true;
    for (std::size_t i = 0; i < d.local().size(); ++i) {
      same_mask = same_mask && ((d.local().data()[i] == 0.0) == (t.local().data()[i] == 0.0));
      dropped += t.local().data()[i] == 0.0;
    }
    CHECK(same_mask);
    CHECK(dropped > 100);  // about 0.3 * 512
    CHECK(dropped < 220);
    CHECK(max_rel_diff(to_dense(t.local()), d.local()) == 0.0);
  }
  auto const r = spmd::dropout(any_rank{}, as_torch(xr), 0.5, gt);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(r)>, torch_of<XR>>);
  CHECK_THROWS_WITH(spmd::dropout(any_rank{}, as_torch(xr), 1.0, gt), "spmd: dropout: p must be in [0, 1)");
}

TEST_CASE("torch_tensor: errors name the op and what to do", "[torch][errors]") {
  // The dtype is part of the type: wrapping a tensor of another dtype or rank throws.
  auto const f32 = [] { return ::at::zeros({2, 3}, ::at::kFloat); };
  CHECK_THROWS_AS((TT<double, 2>(f32())), std::invalid_argument);
  CHECK_THROWS_WITH((TT<double, 2>(f32())),
                    Catch::StartsWith("spmd: torch_tensor: expected an at::Tensor of dtype Double, got Float"));
  CHECK_THROWS_WITH((TT<float, 3>(f32())),
                    "spmd: torch_tensor: expected an at::Tensor with 3 dims, got 2 (reshape it first)");
  CHECK_THROWS_WITH((TT<float, 2>({2, 3}, std::vector<float>(5))),
                    "spmd: torch_tensor: shape [2, 3] needs 6 values, got 5");

  // Shape mismatches: the message of local::dense, at the typed op.
  XR const a{D<2>({2, 3}, 1.0)}, b{D<2>({3, 2}, 1.0)};
  char const* const add_msg = "spmd: add: shapes [2, 3] and [3, 2] are not broadcast-compatible (dim 0)";
  CHECK_THROWS_WITH(a + b, add_msg);
  CHECK_THROWS_AS(as_torch(a) + as_torch(b), std::invalid_argument);
  CHECK_THROWS_WITH(as_torch(a) + as_torch(b), add_msg);
  CHECK_THROWS_WITH(spmd::matmul(as_torch(a), as_torch(a)), Catch::Contains("spmd: matmul: inner extents differ"));
  CHECK_THROWS_WITH(spmd::reshape(as_torch(a), std::array<std::size_t, 1>{5}),
                    "spmd: reshape: cannot reshape [2, 3] (6 elements) to [5] (5 elements)");
  CHECK_THROWS_WITH(spmd::concat<1>(as_torch(a), as_torch(b)),
                    "spmd: concat: shapes [2, 3] and [3, 2] differ outside dim 1");
  CHECK_THROWS_WITH(spmd::einsum<"ij,jk->ik">(as_torch(a), as_torch(a)),
                    Catch::Contains("spmd: einsum: spec \"ij,jk->ik\": label 'j' has extent 3"));
  CHECK_THROWS_WITH(spmd::clamp(as_torch(a), 1.0, 0.0), "spmd: clamp: the lower bound is above the upper bound");

  // The device is a run-time property: operands on different devices are refused.
  TT<double, 2> const cpu({2, 3}, 1.0);
  TT<double, 2> const meta(::at::empty({2, 3}, ::at::TensorOptions().dtype(::at::kDouble).device(::at::kMeta)));
  CHECK_THROWS_WITH(aten::add(cpu, meta),
                    Catch::StartsWith("spmd: add: operands are on different devices (cpu and meta)"));
  CHECK_THROWS_WITH(aten::matmul(cpu, aten::transpose(meta, 0, 1)),
                    Catch::StartsWith("spmd: matmul: operands are on different devices"));
}
