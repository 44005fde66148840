// spmd::torch_tensor under the typed tape and the collectives: gradients of a chain per op family
// against central finite differences and against local::dense, float32 and bfloat16 against
// double, and all_reduce / reduce_scatter / all_gather over the threads runtime against dense.
#include "torch_test_common.hpp"

#include <mutex>
#include <string_view>
#include <tuple>
#include <utility>

#include <spmd/autograd.hpp>
#include <spmd/runtime/threads.hpp>

using namespace torch_test;
using namespace spmd::autograd;

namespace {

/// The local type of one family (dense, or torch of element type T) at rank N, made from doubles.
struct dense_family {
  template <std::size_t N>
  using type = D<N>;
  template <std::size_t N>
  static D<N> make(D<N> const& d) {
    return d;
  }
};
template <class T>
struct torch_family {
  template <std::size_t N>
  using type = TT<T, N>;
  template <std::size_t N>
  static TT<T, N> make(D<N> const& d) {
    return to_torch<T>(d);
  }
};

/// A local tensor of type L (dense or torch) holding `d`.
template <class L, std::size_t N>
L make_local(D<N> const& d) {
  if constexpr (std::is_same_v<L, D<N>>)
    return d;
  else
    return to_torch<typename L::value_type>(d);
}

/// The typed tensor of a variable.
template <class V>
using tensor_of = typename std::remove_cvref_t<V>::tensor_type;

template <class Fam, std::size_t N>
using XI = tensor<typename Fam::template type<N>, M1, layout<I>>;

/// One forward and backward pass of loss = sum_all(f(inputs...) * w) on the tape, all tensors I on
/// tp (a valid loss without a runtime), w a fixed weight: the output, the loss and each input's
/// gradient, as doubles.
template <class Fam, class F, std::size_t... N>
auto run(F const& f, D<N> const&... inputs) {
  tape t;
  std::tuple<parameter<XI<Fam, N>>...> params{XI<Fam, N>{Fam::make(inputs)}...};
  return std::apply(
      [&](auto&... p) {
        auto const out = f(p.on(t)...);
        using O = tensor_of<decltype(out)>;
        var<O> const w{O{Fam::make(filled(out.value().local().shape(), 1.0, 0.3, 0.5))}};
        auto loss = sum_all(out * w);
        backward(loss);
        return std::make_tuple(to_dense(out.value().local()), static_cast<double>(loss.value().local()(0, 0)),
                               std::make_tuple(to_dense(p.grad().local())...));
      },
      params);
}

/// The gradients of f on torch_tensor<double> equal those on local::dense (1e-12) and central
/// differences of the loss (at four elements of each input); returns the elements checked.
template <class F, std::size_t... N>
std::size_t grad_check(F const& f, D<N> const&... inputs) {
  auto const got = run<torch_family<double>>(f, inputs...);
  auto const ref = run<dense_family>(f, inputs...);
  CHECK(max_rel_diff(std::get<0>(got), std::get<0>(ref)) <= 1e-12);
  CHECK(std::get<1>(got) == Approx(std::get<1>(ref)).epsilon(1e-12));
  std::tuple<D<N>...> const base{inputs...};
  std::size_t checked = 0;
  auto one = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
    auto const& grad = std::get<K>(std::get<2>(got));
    INFO("input " << K);
    CHECK(max_rel_diff(grad, std::get<K>(std::get<2>(ref))) <= 1e-12);
    REQUIRE(grad.shape() == std::get<K>(base).shape());
    std::size_t const n = grad.size();
    for (std::size_t k : {std::size_t{0}, n / 3, n / 2, n - 1}) {
      double const eps = 1e-5;
      auto plus = base, minus = base;
      std::get<K>(plus).data()[k] += eps;
      std::get<K>(minus).data()[k] -= eps;
      auto loss_at = [&](auto const& in) {
        return std::apply([&](auto const&... x) { return std::get<1>(run<torch_family<double>>(f, x...)); }, in);
      };
      double const fd = (loss_at(plus) - loss_at(minus)) / (2 * eps);
      INFO("element " << k);
      CHECK(grad.data()[k] == Approx(fd).epsilon(1e-6).margin(1e-8));
      ++checked;
    }
  };
  [&]<std::size_t... Ks>(std::index_sequence<Ks...>) {
    (one(std::integral_constant<std::size_t, Ks>{}), ...);
  }
  (std::make_index_sequence<sizeof...(N)>{});
  return checked;
}

struct any_rank {
  std::size_t coord(std::string_view) const { return 0; }
};

}  // namespace

TEST_CASE("torch_tensor autograd: pointwise ops", "[torch][autograd]") {
  auto const x = filled<2>({3, 4}, 1.0, 0.2), y = filled<2>({3, 4}, 0.8, 1.1);
  auto smooth = [](auto const& a, auto const& b) {
    return spmd::gelu(a) * spmd::tanh(b) + spmd::exp(-a) - spmd::relu(b) * spmd::abs(a);
  };
  CHECK(grad_check(smooth, x, y) == 8);
  auto powers = [](auto const& a) {
    auto const sq = a * a + 1.0;
    return spmd::sqrt(sq) + spmd::log(sq) * spmd::rsqrt(sq + 1.0) - spmd::pow(sq, 1.5) / 3.0 + 2.0 / sq;
  };
  CHECK(grad_check(powers, x) == 4);
}

TEST_CASE("torch_tensor autograd: softmax, log_softmax, selection", "[torch][autograd]") {
  auto const x = filled<2>({3, 5}, 1.0, 0.2), y = filled<2>({3, 5}, 1.3, 2.1);
  auto soft = [](auto const& a, auto const& b) { return spmd::softmax<1>(a) * spmd::log_softmax<0>(b); };
  CHECK(grad_check(soft, x, y) == 8);
  D<2> mask({3, 5});
  for (std::size_t i = 0; i < mask.size(); i += 2) mask.data()[i] = 1;
  auto select = [&mask](auto const& a, auto const& b) {
    using X = tensor_of<decltype(a)>;
    var<X> const m{X{make_local<typename X::local_type>(mask)}};
    return spmd::maximum(a, b) + spmd::minimum(a, 0.1) + spmd::maximum(-0.2, b) + spmd::clamp(a, -0.3, 0.4) +
           spmd::where(m, a * b, b) + spmd::where(m, 0.5, a);
  };
  CHECK(grad_check(select, x, y) == 8);
}

TEST_CASE("torch_tensor autograd: broadcasting binary ops", "[torch][autograd]") {
  auto const x = filled<2>({3, 4}, 1.0, 0.2), row = filled<2>({1, 4}, 0.5, 0.7, 2.0), col = filled<2>({3, 1}, 0.4, 1.9);
  auto bin = [](auto const& a, auto const& r, auto const& c) { return a / r - r * a + (c - a) * c + (a + c); };
  CHECK(grad_check(bin, x, row, col) == 12);
}

TEST_CASE("torch_tensor autograd: reductions and views", "[torch][autograd]") {
  auto const x = filled<2>({3, 4}, 1.0, 0.2), y = filled<2>({4, 3}, 0.9, 1.3);
  auto views = [](auto const& a, auto const& b) {
    auto const bt = spmd::squeeze<0>(spmd::unsqueeze<0>(spmd::transpose<0, 1>(b)));  // [3, 4]
    auto const left = spmd::narrow<1>(a, 1, 2) * spmd::narrow<1>(bt, 0, 2);          // [3, 2]
    auto const right = spmd::unsqueeze<1>(spmd::sum<1>(a * bt)) + spmd::unsqueeze<1>(spmd::mean<1>(a));
    auto const r =
        spmd::reshape(spmd::reshape(bt, std::array<std::size_t, 3>{2, 3, 2}), std::array<std::size_t, 2>{3, 4});
    return spmd::concat<1>(left, right) + spmd::sum_all(a * r) +
           spmd::unsqueeze<0>(spmd::mean<0>(spmd::narrow<1>(bt * bt, 1, 3)));
  };
  CHECK(grad_check(views, x, y) == 8);
}

TEST_CASE("torch_tensor autograd: matmul and einsum", "[torch][autograd]") {
  auto const x = filled<2>({3, 4}, 1.0, 0.2), w = filled<2>({4, 5}, 0.7, 1.3), v = filled<2>({5, 4}, 0.6, 2.2);
  auto const b = filled<3>({2, 3, 4}, 1.0, 0.5), c = filled<3>({2, 4, 5}, 0.8, 0.9);
  auto mm = [](auto const& a, auto const& p, auto const& q) {
    return spmd::matmul(a, p) + spmd::einsum<"ij,kj->ik">(a, q) +
           spmd::einsum<"ij->ji">(spmd::einsum<"ij,jk->ki">(a, p)) * 0.5 + spmd::einsum<"ij,jk->ik">(spmd::tanh(a), p);
  };
  CHECK(grad_check(mm, x, w, v) == 12);
  auto batched = [](auto const& a3, auto const& p, auto const& c3) {
    auto const y1 = spmd::matmul(a3, p);                   // [2, 3, 5]
    auto const y2 = spmd::matmul(a3, c3);                  // [2, 3, 5]
    auto const y3 = spmd::einsum<"bij,bjk->bik">(a3, c3);  // [2, 3, 5]
    return spmd::reshape(y1 * y2 + y3, std::array<std::size_t, 2>{6, 5});
  };
  CHECK(grad_check(batched, b, w, c) == 12);
}

TEST_CASE("torch_tensor autograd: dropout", "[torch][autograd][dropout]") {
  auto const x = filled<2>({4, 6}, 1.0, 0.3);
  auto drop = [](auto const& a) {
    dropout_generator gen(99);
    return spmd::dropout(any_rank{}, a, 0.4, gen) * a;
  };
  CHECK(grad_check(drop, x) == 4);
}

TEST_CASE("torch_tensor autograd: float32 and bfloat16 agree with double", "[torch][autograd][dtype]") {
  auto const x = filled<2>({4, 6}, 1.0, 0.2), w = filled<2>({6, 5}, 0.5, 1.1), b = filled<2>({1, 5}, 0.3, 0.4),
             z = filled<2>({4, 5}, 1.0, 2.3);
  auto chain = [](auto const& a, auto const& p, auto const& bias, auto const& s) {
    return spmd::softmax<1>(spmd::gelu(spmd::matmul(a, p)) + bias) * s + spmd::relu(spmd::matmul(a, p));
  };
  auto const ref = run<torch_family<double>>(chain, x, w, b, z);
  auto compare = [&](auto const& got, double tol) {
    CHECK(max_rel_diff(std::get<0>(got), std::get<0>(ref)) <= tol);
    CHECK(std::get<1>(got) == Approx(std::get<1>(ref)).epsilon(tol).margin(tol));
    auto grad = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
      INFO("input " << K);
      CHECK(max_rel_diff(std::get<K>(std::get<2>(got)), std::get<K>(std::get<2>(ref))) <= tol);
    };
    [&]<std::size_t... Ks>(std::index_sequence<Ks...>) {
      (grad(std::integral_constant<std::size_t, Ks>{}), ...);
    }
    (std::make_index_sequence<4>{});
    // Not equal to double either: the dtype really is the narrower one.
    CHECK(max_rel_diff(std::get<0>(got), std::get<0>(ref)) > 0.0);
  };
  SECTION("float32") {
    compare(run<torch_family<float>>(chain, x, w, b, z), 1e-5);
  }
  SECTION("bfloat16") {
    compare(run<torch_family<c10::BFloat16>>(chain, x, w, b, z), 5e-2);
  }
  static_assert(std::is_same_v<TT<c10::BFloat16, 2>::value_type, c10::BFloat16>);
}

TEST_CASE("torch_tensor autograd: bfloat16 through the backwards that multiply by a number",
          "[torch][autograd][dtype]") {
  // tanh, sqrt, rsqrt, pow and mean<d> differentiate with value_type constants: c10::BFloat16 is a
  // number for the typed ops (spmd::enable_number).
  static_assert(spmd::number<c10::BFloat16>);
  auto const x = filled<2>({4, 6}, 1.0, 0.2);
  auto chain = [](auto const& a) {
    auto const pos = spmd::exp(a);  // > 0, for sqrt and rsqrt
    return spmd::tanh(a) + spmd::sqrt(pos) * spmd::rsqrt(pos + 1.0) + spmd::pow(pos, 1.5) +
           spmd::unsqueeze<1>(spmd::mean<1>(a * a));
  };
  auto const ref = run<torch_family<double>>(chain, x);
  auto const got = run<torch_family<c10::BFloat16>>(chain, x);
  CHECK(max_rel_diff(std::get<0>(got), std::get<0>(ref)) <= 5e-2);
  CHECK(max_rel_diff(std::get<0>(std::get<2>(got)), std::get<0>(std::get<2>(ref))) <= 5e-2);
  CHECK(max_rel_diff(std::get<0>(std::get<2>(got)), std::get<0>(std::get<2>(ref))) > 0.0);
}

TEST_CASE("torch_tensor: collectives over the threads runtime equal local::dense", "[torch][comm]") {
  using PD = tensor<D<2>, M1, layout<P>>;
  using SD = tensor<D<2>, M1, layout<S<1>>>;
  using PF = tensor<TT<float, 2>, M1, layout<P>>;
  std::mutex mu;
  std::vector<double> diffs;  // Catch2's assertions are not thread-safe: checked after the run
  std::vector<std::array<std::size_t, 2>> shapes;
  threads::run({{"tp", 2}}, [&](threads::rank& r) {
    double const c = static_cast<double>(r.coord("tp"));
    D<2> const mine = filled<2>({4, 6}, 1.0, 0.1 + c, c);
    std::vector<double> d;
    std::vector<std::array<std::size_t, 2>> s;

    auto const red_d = all_reduce<"tp", R>(r, PD{mine});
    auto const red_t = all_reduce<"tp", R>(r, as_torch(PD{mine}));
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(red_t)>, torch_of<std::remove_cvref_t<decltype(red_d)>>>);
    d.push_back(max_rel_diff(to_dense(red_t.local()), red_d.local()));

    auto const rs_d = reduce_scatter<"tp", 0>(r, PD{mine});
    auto const rs_t = reduce_scatter<"tp", 0>(r, as_torch(PD{mine}));
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(rs_t)>, torch_of<std::remove_cvref_t<decltype(rs_d)>>>);
    d.push_back(max_rel_diff(to_dense(rs_t.local()), rs_d.local()));
    s.push_back(rs_t.local().shape());

    auto const ag_d = all_gather<"tp", R>(r, SD{mine});
    auto const ag_t = all_gather<"tp", R>(r, as_torch(SD{mine}));
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(ag_t)>, torch_of<std::remove_cvref_t<decltype(ag_d)>>>);
    d.push_back(max_rel_diff(to_dense(ag_t.local()), ag_d.local()));
    s.push_back(ag_t.local().shape());

    auto const red_f = all_reduce<"tp", R>(r, PF{to_torch<float>(mine)});
    d.push_back(max_rel_diff(to_dense(red_f.local()), red_d.local()) <= 1e-6 ? 0.0 : 1.0);

    std::lock_guard lock(mu);
    diffs.insert(diffs.end(), d.begin(), d.end());
    shapes.insert(shapes.end(), s.begin(), s.end());
  });
  REQUIRE(diffs.size() == 8);
  for (double d : diffs) CHECK(d == 0.0);
  REQUIRE(shapes.size() == 4);
  for (std::size_t i = 0; i < 4; i += 2) {
    CHECK((shapes[i] == std::array<std::size_t, 2>{2, 6}));       // reduce_scatter<0>: half the rows
    CHECK((shapes[i + 1] == std::array<std::size_t, 2>{4, 12}));  // all_gather of S<1>: both halves
  }
}
