// The backward of every fused op of spmd::nn (layer norm, causal attention, vocab-parallel
// embedding lookup, position tiling, vocab-parallel cross entropy) and of a whole tiny GPT,
// against central finite differences, in double, on a 1 x 1 mesh.
#include <atomic>
#include <mutex>
#include <string>
#include <vector>
#include <catch2/catch.hpp>

#include "test_nn_common.hpp"

using namespace nn_test;

namespace {

// Runs `body(rank)` (which returns the finite-difference error) on a 1 x 1 mesh.
template <class Body>
double on_serial_mesh(Body&& body) {
  double err = INFINITY;
  threads::run({{"dp", 1}, {"tp", 1}}, [&](threads::rank& r) { err = body(r); });
  return err;
}

template <class X>
autograd::parameter<X> random_param(std::size_t rows, std::size_t cols, std::uint64_t seed, double scale = 1.0) {
  return autograd::parameter<X>{X{random_whole(rows, cols, seed, scale)}};
}

template <class Y>
autograd::var<Y> random_const(std::array<std::size_t, 2> shape, std::uint64_t seed) {
  return autograd::var<Y>{Y{random_whole(shape[0], shape[1], seed)}};
}

// <y, c> = sum(y * c) for a fixed random c of y's gradient type (R where y is P), as a loss.
template <class Rank, class Y>
auto weighted_loss(Rank& r, autograd::var<Y> const& y, std::uint64_t seed) {
  return to_loss(r, autograd::sum_all(y * random_const<grad_t<Y>>(y.value().local().shape(), seed)));
}

}  // namespace

TEST_CASE("nn fused layer_norm: gradients match finite differences", "[nn][fused]") {
  double const err = on_serial_mesh([](threads::rank& r) {
    auto x = random_param<nn::tensor2<double, V, I>>(5, 6, 1, 2.0);
    auto w = random_param<nn::replicated<double>>(1, 6, 2);
    auto b = random_param<nn::replicated<double>>(1, 6, 3);
    return finite_difference_error(
        [&](autograd::tape& t) { return weighted_loss(r, nn::fused::layer_norm_rows(x.on(t), w.on(t), b.on(t)), 4); },
        x, w, b);
  });
  CHECK(err < 1e-6);
}

TEST_CASE("nn layer_norm module with a sequence-parallel input: gradients match finite differences", "[nn][fused]") {
  double const err = on_serial_mesh([](threads::rank& r) {
    auto x = random_param<nn::activation<double, true>>(4, 5, 5, 1.5);
    auto ln = nn::layer_norm<double>{nn::make_replicated<double>(random_whole(1, 5, 6)),
                                     nn::make_replicated<double>(random_whole(1, 5, 7))};
    return finite_difference_error([&](autograd::tape& t) { return weighted_loss(r, ln.forward(r, t, x.on(t)), 8); }, x,
                                   ln.weight, ln.bias);
  });
  CHECK(err < 1e-6);
}

TEST_CASE("nn fused causal_attention: gradients match finite differences", "[nn][fused]") {
  // 2 sequences of 4 tokens, 2 heads of dim 3: qkv [8, 18].
  double const err = on_serial_mesh([](threads::rank& r) {
    auto qkv = random_param<nn::column_out<double>>(8, 18, 9);
    return finite_difference_error(
        [&](autograd::tape& t) { return weighted_loss(r, nn::fused::causal_attention(qkv.on(t), 3, 4), 10); }, qkv);
  });
  CHECK(err < 1e-6);
}

TEST_CASE("nn fused causal_attention: position i only sees positions <= i", "[nn][fused]") {
  // Changing the last token of a sequence changes no output row but the last.
  std::atomic<bool> ok{false};
  threads::run({{"dp", 1}, {"tp", 1}}, [&](threads::rank&) {
    using X = nn::column_out<double>;
    auto whole = random_whole(4, 6, 11);
    autograd::var<X> a{X{whole}};
    whole(3, 0) += 1.0;  // q of the last position
    whole(3, 2) += 1.0;  // k of the last position
    whole(3, 4) += 1.0;  // v of the last position
    autograd::var<X> b{X{whole}};
    auto const ya = nn::fused::causal_attention(a, 2, 4).value().local();
    auto const yb = nn::fused::causal_attention(b, 2, 4).value().local();
    bool same = true, last_differs = false;
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t j = 0; j < 2; ++j) {
        if (i < 3) same = same && ya(i, j) == yb(i, j);
        if (i == 3) last_differs = last_differs || ya(i, j) != yb(i, j);
      }
    ok = same && last_differs;
  });
  CHECK(ok);
}

TEST_CASE("nn fused embedding_lookup and tile_rows: gradients match finite differences", "[nn][fused]") {
  double const err = on_serial_mesh([](threads::rank& r) {
    auto table = random_param<nn::vocab_table<double>>(7, 3, 12);
    std::vector<int> const ids{3, 0, 6, 3, 5};
    return finite_difference_error(
        [&](autograd::tape& t) { return weighted_loss(r, nn::fused::embedding_lookup(r, table.on(t), ids), 13); },
        table);
  });
  CHECK(err < 1e-6);
  double const err2 = on_serial_mesh([](threads::rank& r) {
    auto pos = random_param<nn::replicated<double>>(3, 2, 14);
    using C = nn::tensor2<double, V, I>;
    auto const c = random_const<C>({9, 2}, 15);
    return finite_difference_error(
        [&](autograd::tape& t) { return to_loss(r, autograd::sum_all(nn::fused::tile_rows(pos.on(t), 3) * c)); }, pos);
  });
  CHECK(err2 < 1e-6);
}

TEST_CASE("nn fused vocab-parallel cross entropy: value and gradients", "[nn][fused]") {
  std::atomic<bool> value_ok{false};
  double const err = on_serial_mesh([&](threads::rank& r) {
    auto logits = random_param<nn::column_out<double>>(6, 5, 16, 2.0);
    std::vector<int> const targets{0, 4, 2, 2, 1, 3};
    // The value: mean over tokens of log(sum exp) - logit[target].
    autograd::tape t0;
    double const got = nn::global_loss(r, nn::vocab_parallel_cross_entropy(r, logits.on(t0), targets, 6));
    double want = 0;
    auto const& l = logits.value().local();
    for (std::size_t i = 0; i < 6; ++i) {
      double s = 0;
      for (std::size_t j = 0; j < 5; ++j) s += std::exp(l(i, j));
      want += (std::log(s) - l(i, static_cast<std::size_t>(targets[i]))) / 6;
    }
    value_ok = std::fabs(got - want) < 1e-12;
    return finite_difference_error(
        [&](autograd::tape& t) { return nn::vocab_parallel_cross_entropy(r, logits.on(t), targets, 6); }, logits);
  });
  CHECK(value_ok);
  CHECK(err < 1e-6);
}

TEST_CASE("nn tiny GPT: gradients of every parameter match finite differences", "[nn][fused]") {
  std::vector<double> errs;
  threads::run({{"dp", 1}, {"tp", 1}}, [&](threads::rank& r) {
    nn::gpt_config c;
    c.vocab = 6;
    c.hidden = 4;
    c.heads = 2;
    c.layers = 1;
    c.seq = 3;
    c.ffn = 8;
    c.embed_std = 1.0;
    c.qkv_bias = true;
    nn::gpt<double> model(r, c, 3);
    std::vector<int> const ids{1, 5, 2, 0, 0, 4}, targets{5, 2, 3, 0, 4, 1};
    // Perturb every parameter away from its initial value (zero biases, unit norms) first.
    std::uint64_t s = 100;
    model.for_each_parameter([&](auto& p) {
      auto* x = p.value().local().data();
      auto const noise = random_whole(1, p.value().local().size(), ++s, 0.3);
      for (std::size_t i = 0; i < p.value().local().size(); ++i) x[i] += noise.data()[i];
    });
    auto eval = [&](autograd::tape& t) { return model.loss<true>(r, t, ids, targets); };
    model.for_each_parameter([&](auto& p) { errs.push_back(finite_difference_error(eval, p)); });
  });
  REQUIRE(errs.size() == 17);  // 2 embedding + 12 block (with the QKV bias) + 2 final norm + 1 head
  for (std::size_t i = 0; i < errs.size(); ++i) {
    INFO("parameter " << i);
    CHECK(errs[i] < 1e-6);
  }
}
