// Shard propagation in the global view: for each op, the spec of the result (asserted), and the
// erasure property: the same op on the operands' local typed tensors (global::to_local) compiles
// and gives exactly the result's local typed tensor. Compile-fail counterparts:
// tests/compile_fail/global_*.cpp.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>
#include <spmd/spmd.hpp>

#include <type_traits>

using namespace spmd;

namespace {

using M = mesh<"dp", "tp">;
using F1 = local::dense<float, 1>;
using F2 = local::dense<float, 2>;
using F3 = local::dense<float, 3>;
template <class Spec>
using G2 = global_tensor<F2, M, Spec>;
template <class Spec>
using G3 = global_tensor<F3, M, Spec>;
template <class Spec>
using G1 = global_tensor<F1, M, Spec>;

/// The result type of `op` on global operands of types `Xs...` is `Expected`, and on their local
/// typed tensors exactly `Expected`'s local typed tensor.
template <class Expected, class... Xs, class Op>
bool propagates_for(Op) {
  using global_result = decltype(std::declval<Op>()(std::declval<Xs const&>()...));
  using local_result = decltype(std::declval<Op>()(std::declval<Xs const&>().typed()...));
  static_assert(std::is_same_v<global_result, Expected>, "the propagated spec differs from the expected one");
  static_assert(std::is_same_v<local_result, typename Expected::inner_type>, "erasing the specs changes the program");
  return true;
}
template <class Expected, class Op, class... Xs>
bool propagates(Op op, Xs const&...) {
  return propagates_for<Expected, Xs...>(op);
}

// Specs used below.
using Xb = G2<spec<on<"dp">, on<>, at<"tp", R>>>;  // [B@dp, H]{tp:R}: a batch-sharded activation
using Xi = G2<spec<on<"dp">, on<>, at<"tp", I>>>;  // the same, invariant on tp
using Bias = G2<spec<on<>, on<>, at<"dp", R>, at<"tp", R>>>;
using W1 = G2<spec<on<>, on<"tp">, at<"dp", R>>>;  // column-parallel weight
using H = G2<spec<on<"dp">, on<"tp">>>;            // its output
using W2 = G2<spec<on<"tp">, on<>, at<"dp", R>>>;  // row-parallel weight
using Y = G2<spec<on<"dp">, on<>, at<"tp", P>>>;   // the row-parallel output, pending on tp
using Xdt = G2<spec<on<"dp", "tp">, on<>>>;        // batch sharded on (dp, tp)
using Xtd = G2<spec<on<"tp", "dp">, on<>>>;        // ... on (tp, dp)
using Whole = G2<spec<on<>, on<>, at<"dp", R>, at<"tp", R>>>;
using Inv = G2<spec<on<>, on<>, at<"dp", I>, at<"tp", I>>>;

constexpr auto relu_ = [](auto const& x) { return relu(x); };
constexpr auto add_ = [](auto const& a, auto const& b) { return a + b; };
constexpr auto mul_ = [](auto const& a, auto const& b) { return a * b; };
constexpr auto matmul_ = [](auto const& a, auto const& b) { return matmul(a, b); };

// Never called: compiling it is the test.
[[maybe_unused]] void propagation_cases() {
  // 1-6: elementwise ops keep the spec.
  propagates<Xb>(relu_, Xb{});
  propagates<Xb>(add_, Xb{}, Xb{});
  propagates<Xb>([](auto const& x) { return x * 2.0f; }, Xb{});
  propagates<Xb>(add_, Xb{}, Bias{});  // a whole operand broadcasts (extent 1, checked at run time)
  propagates<Xtd>([](auto const& x) { return exp(tanh(x)); }, Xtd{});
  propagates<Xdt>(mul_, Xdt{}, Xdt{});
  // 7-8: pending sums stay pending under linear ops.
  propagates<Y>(add_, Y{}, Y{});
  propagates<Y>([](auto const& y) { return y / 4.0f - y; }, Y{});
  // 9-12: the Megatron MLP: column-parallel, then row-parallel with out_partial.
  propagates<H>(matmul_, Xb{}, W1{});
  propagates<H>([](auto const& x, auto const& w) { return gelu(matmul(x, w)); }, Xb{}, W1{});
  propagates<Y>([](auto const& h, auto const& w) { return matmul(h, w, out_partial<"tp">); }, H{}, W2{});
  propagates<Y>([](auto const& h, auto const& w) { return einsum<"bf,fh->bh">(h, w, out_partial<"tp">); }, H{}, W2{});
  // 13-15: batch-sharded matmul, on one axis and on two in either order.
  propagates<Xb>(matmul_, Xb{}, Whole{});
  propagates<Xdt>(matmul_, Xdt{}, Whole{});
  propagates<Xtd>(matmul_, Xtd{}, Whole{});
  // 16: a batched matmul whose batch dim both operands shard.
  using A3 = G3<spec<on<"dp">, on<>, on<>, at<"tp", R>>>;
  propagates<A3>(matmul_, A3{}, A3{});
  // 17-18: einsum, column-parallel on a 3-dim activation; a contraction over a dim sharded on
  // (dp, tp) in both operands, pending on both.
  using X3 = G3<spec<on<"dp">, on<>, on<>, at<"tp", R>>>;
  using H3 = G3<spec<on<"dp">, on<>, on<"tp">>>;
  propagates<H3>([](auto const& x, auto const& w) { return einsum<"bsh,hf->bsf">(x, w); }, X3{}, W1{});
  using Rows = G2<spec<on<>, on<"dp", "tp">>>;
  using Cols = G2<spec<on<"dp", "tp">, on<>>>;
  using Pboth = G2<spec<on<>, on<>, at<"dp", P>, at<"tp", P>>>;
  propagates<Pboth>([](auto const& a, auto const& b) { return matmul(a, b, out_partial<"dp", "tp">); }, Rows{}, Cols{});
  // 19-22: reductions: over a whole dim, over a sharded dim with out_partial, sum_all, mean.
  propagates<G1<spec<on<"dp">, at<"tp", R>>>>([](auto const& x) { return sum<1>(x); }, Xb{});
  propagates<G1<spec<on<>, at<"dp", P>, at<"tp", R>>>>([](auto const& x) { return sum<0>(x, out_partial<"dp">); },
                                                       Xb{});
  propagates<G2<spec<on<>, on<>, at<"dp", P>, at<"tp", P>>>>([](auto const& x) { return sum_all(x); }, H{});
  propagates<G1<spec<on<"dp">, at<"tp", I>>>>([](auto const& x) { return mean<1>(x); }, Xi{});
  // 23-24: softmax along a whole dim; log_softmax keeps an order of two axes.
  propagates<Xb>([](auto const& x) { return softmax<1>(x); }, Xb{});
  propagates<Xtd>([](auto const& x) { return log_softmax<1>(x); }, Xtd{});
  // 25-28: views move the spec with the dim.
  propagates<G2<spec<on<"tp">, on<"dp">>>>([](auto const& x) { return transpose<0, 1>(x); }, H{});
  propagates<G3<spec<on<>, on<"dp">, on<"tp">>>>([](auto const& x) { return unsqueeze<0>(x); }, H{});
  propagates<G1<spec<on<"tp", "dp">>>>([](auto const& x) { return squeeze<1>(x); }, Xtd{});
  propagates<Xb>([](auto const& x) { return narrow<1>(x, 0, 2); }, Xb{});
  // 29-30: concat along a whole dim; reshape of a tensor that is whole everywhere.
  propagates<Xb>([](auto const& a, auto const& b) { return concat<1>(a, b); }, Xb{}, Xb{});
  propagates<G1<spec<on<>, at<"dp", R>, at<"tp", R>>>>(
      [](auto const& x) { return reshape(x, std::array<std::size_t, 1>{16}); }, Whole{});
  // 31-33: invariant tensors, selection ops, powers.
  propagates<Inv>([](auto const& a, auto const& b) { return maximum(a, b) - minimum(a, b); }, Inv{}, Inv{});
  propagates<H>([](auto const& x) { return pow(abs(x), 2.0f); }, H{});
  propagates<Xdt>([](auto const& x) { return rsqrt(x * x + 1.0f); }, Xdt{});
}

// 34-37: the three spellings of a spec name one type.
static_assert(std::is_same_v<Xb, G2<jax::partition_spec<on<"dp">, on<>, at<"tp", jax::reduced>>>>);
static_assert(std::is_same_v<Xi, G2<jax::partition_spec<on<"dp">, on<>>>>);
static_assert(std::is_same_v<Y, G2<jax::partition_spec<on<"dp">, on<>, at<"tp", jax::unreduced>>>>);
static_assert(std::is_same_v<Xdt, G2<dtensor_spec<Shard<0>, Shard<0>>>>);
static_assert(std::is_same_v<W1, G2<dtensor_spec<Replicate, Shard<1>>>>);
static_assert(std::is_same_v<Xb, G2<spec<on<"dp">, on<>, at<"tp", R>>>>);
// 38: the axes of the entries after the dims may come in any order.
static_assert(std::is_same_v<Whole, G2<spec<on<>, on<>, at<"tp", R>, at<"dp", R>>>>);
// 39-40: what a spec erases to.
static_assert(std::is_same_v<Xdt::layout_type, layout<S<0>, S<0>>>);
static_assert(std::is_same_v<Y::layout_type, layout<S<0>, P>>);

}  // namespace

// 41-44: global variables propagate the same specs, and their gradients have the gradient spec.
namespace {
[[maybe_unused]] void variable_cases() {
  using VXb = global::var_t<Xb>;
  using VW1 = global::var_t<W1>;
  propagates_for<global::var_t<H>, VXb, VW1>([](auto const& x, auto const& w) { return gelu(matmul(x, w)); });
  propagates_for<global::var_t<Y>, global::var_t<H>, global::var_t<W2>>(
      [](auto const& h, auto const& w) { return matmul(h, w, out_partial<"tp">); });
}
static_assert(std::is_same_v<global::grad_type_t<W1>, G2<spec<on<>, on<"tp">, at<"dp", P>>>>);
static_assert(std::is_same_v<global::grad_type_t<Y>, G2<spec<on<"dp">, on<>, at<"tp", R>>>>);
}  // namespace
