// The column- and row-parallel linear layers, layer norm, the vocab-parallel embedding and the
// vocab-parallel cross entropy on dp x tp meshes (tp = 2, 4; dp = 2), with and without sequence
// parallelism: output, input gradient and parameter gradients equal the serial (1 x 1) run.
#include <catch2/catch.hpp>

#include "test_nn_common.hpp"

using namespace nn_test;

namespace {
constexpr std::size_t tokens = 16, hidden = 8, width = 12;
constexpr double tolerance = 1e-12;
struct mesh_size {
  std::size_t dp, tp;
};
constexpr mesh_size meshes[] = {{1, 2}, {2, 2}, {1, 4}};

template <bool SP>
layer_outcome column_linear(std::size_t dp, std::size_t tp) {
  return run_layer<nn::activation<double, SP>>(
      dp, tp, tokens, hidden,
      [](auto& r) {
        nn::initializer init(3);
        return nn::column_parallel_linear<double>::make(r, init, hidden, width, 0.5);
      },
      [](auto& r, auto& t, auto const& layer, auto const& x) { return layer.forward(r, t, x); });
}

template <bool SP>
layer_outcome row_linear(std::size_t dp, std::size_t tp) {
  return run_layer<nn::column_out<double>>(
      dp, tp, tokens, width,
      [](auto& r) {
        nn::initializer init(4);
        auto l = nn::row_parallel_linear<double>::make(r, init, width, hidden, 0.5);
        l.bias.value().local()(0, 1) = 0.25;  // a bias that is not zero
        return l;
      },
      [](auto& r, auto& t, auto const& layer, auto const& x) { return layer.template forward<SP>(r, t, x); });
}

template <bool SP>
layer_outcome norm(std::size_t dp, std::size_t tp) {
  return run_layer<nn::activation<double, SP>>(
      dp, tp, tokens, hidden,
      [](auto&) {
        return nn::layer_norm<double>{nn::make_replicated<double>(random_whole(1, hidden, 5)),
                                      nn::make_replicated<double>(random_whole(1, hidden, 6))};
      },
      [](auto& r, auto& t, auto const& layer, auto const& x) { return layer.forward(r, t, x); });
}
}  // namespace

TEST_CASE("nn column_parallel_linear on tp (SP on and off) equals serial", "[nn][layers]") {
  auto const serial = column_linear<false>(1, 1);
  REQUIRE(serial.grads.size() == 2);
  REQUIRE(serial.y.size() > 0);
  for (auto m : meshes) {
    INFO("dp=" << m.dp << " tp=" << m.tp);
    CHECK(max_rel_diff(column_linear<true>(m.dp, m.tp), serial) <= tolerance);
    CHECK(max_rel_diff(column_linear<false>(m.dp, m.tp), serial) <= tolerance);
  }
}

TEST_CASE("nn row_parallel_linear on tp (SP on and off) equals serial", "[nn][layers]") {
  auto const serial = row_linear<false>(1, 1);
  REQUIRE(serial.grads.size() == 2);
  REQUIRE(serial.y.size() > 0);
  for (auto m : meshes) {
    INFO("dp=" << m.dp << " tp=" << m.tp);
    CHECK(max_rel_diff(row_linear<true>(m.dp, m.tp), serial) <= tolerance);
    CHECK(max_rel_diff(row_linear<false>(m.dp, m.tp), serial) <= tolerance);
  }
}

TEST_CASE("nn layer_norm on tp (SP on and off) equals serial", "[nn][layers]") {
  auto const serial = norm<false>(1, 1);
  REQUIRE(serial.grads.size() == 2);
  REQUIRE(serial.y.size() > 0);
  for (auto m : meshes) {
    INFO("dp=" << m.dp << " tp=" << m.tp);
    CHECK(max_rel_diff(norm<true>(m.dp, m.tp), serial) <= tolerance);
    CHECK(max_rel_diff(norm<false>(m.dp, m.tp), serial) <= tolerance);
  }
}

namespace {
constexpr std::size_t vocab = 12, seq = 4;

// The embedding of a whole batch of ids (16 tokens = 4 sequences of 4), split over dp; the loss
// is <embeddings, c>. Returns the whole output and the whole gradients of both tables.
template <bool SP>
layer_outcome embedding(std::size_t dp, std::size_t tp) {
  layer_outcome res;
  threads::run({{"dp", dp}, {"tp", tp}}, [&](threads::rank& r) {
    nn::initializer init(7);
    auto e = nn::vocab_parallel_embedding<double>::make(r, init, vocab, hidden, seq, 1.0);
    std::vector<int> ids;
    std::size_t const per_rank = tokens / dp;
    for (std::size_t i = r.coord("dp") * per_rank; i < (r.coord("dp") + 1) * per_rank; ++i)
      ids.push_back(static_cast<int>((i * 7 + 3) % vocab));
    autograd::tape t;
    auto const y = e.template forward<SP>(r, t, ids);
    autograd::var<nn::activation<double, SP>> const c{
        split_like<nn::activation<double, SP>>(r, random_whole(tokens, hidden, 8))};
    autograd::backward(to_loss(r, autograd::sum_all(y * c)));
    Mat yw = whole_of(r, y.value());
    std::vector<Mat> grads;
    e.for_each_parameter([&](auto& p) { grads.push_back(testing::global_value(r, p.grad())); });
    if (r.index() == 0) res = {std::move(yw), Mat({1, 1}), std::move(grads)};
  });
  return res;
}

// The cross entropy of whole logits [16, vocab] split over dp (rows) and tp (vocab columns).
layer_outcome cross_entropy(std::size_t dp, std::size_t tp) {
  layer_outcome res;
  threads::run({{"dp", dp}, {"tp", tp}}, [&](threads::rank& r) {
    autograd::parameter<nn::column_out<double>> logits{
        split_like<nn::column_out<double>>(r, random_whole(tokens, vocab, 9, 3.0))};
    std::vector<int> targets;
    std::size_t const per_rank = tokens / dp;
    for (std::size_t i = r.coord("dp") * per_rank; i < (r.coord("dp") + 1) * per_rank; ++i)
      targets.push_back(static_cast<int>((i * 5 + 1) % vocab));
    autograd::tape t;
    auto const loss = nn::vocab_parallel_cross_entropy(r, logits.on(t), targets, tokens);
    autograd::backward(loss);
    Mat lw({1, 1}, nn::global_loss(r, loss));
    Mat dx = whole_of(r, logits.grad());
    if (r.index() == 0) res = {std::move(lw), std::move(dx), {}};
  });
  return res;
}
}  // namespace

TEST_CASE("nn vocab_parallel_embedding on tp (SP on and off) equals serial", "[nn][layers]") {
  auto const serial = embedding<false>(1, 1);
  REQUIRE(serial.grads.size() == 2);
  REQUIRE(serial.y.size() > 0);
  for (auto m : meshes) {
    INFO("dp=" << m.dp << " tp=" << m.tp);
    CHECK(max_rel_diff(embedding<true>(m.dp, m.tp), serial) <= tolerance);
    CHECK(max_rel_diff(embedding<false>(m.dp, m.tp), serial) <= tolerance);
  }
}

TEST_CASE("nn vocab_parallel_cross_entropy on tp equals serial", "[nn][layers]") {
  auto const serial = cross_entropy(1, 1);
  REQUIRE(serial.grads.size() == 0);
  REQUIRE(serial.y.size() > 0);
  for (auto m : meshes) {
    INFO("dp=" << m.dp << " tp=" << m.tp);
    CHECK(max_rel_diff(cross_entropy(m.dp, m.tp), serial) <= tolerance);
  }
}
