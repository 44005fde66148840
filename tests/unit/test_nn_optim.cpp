// SGD and AdamW updates, their type check, and the two data-parallel synchronisations
// (all_reduce of gradients; ZeRO-1: reduce_scatter, sharded optimizer state, all_gather).
#include <atomic>
#include <cmath>
#include <vector>
#include <catch2/catch.hpp>

#include "test_nn_common.hpp"

using namespace nn_test;

// The step accepts exactly the parameter's type; grad_t of a dp-replicated parameter is P@dp and
// is accepted only after the dp all-reduce (the compile-fail test optimizer_step_p_on_dp.cpp
// checks the rejection and its message).
static_assert(nn::gradient_fits<nn::column_weight<double>, nn::column_weight<double>>());
static_assert(nn::gradient_fits<nn::replicated<float>, nn::replicated<float>>());
static_assert(std::is_same_v<grad_t<nn::column_weight<double>>, nn::tensor2<double, P, S<1>>>);
static_assert(std::is_same_v<grad_t<nn::replicated<double>>, nn::tensor2<double, P, I>>);

TEST_CASE("nn sgd: x -= lr (g + wd x), weight decay on matrices only", "[nn][optim]") {
  nn::sgd opt{.lr = 0.5, .weight_decay = 0.1};
  autograd::parameter<nn::replicated<double>> v{nn::replicated<double>{Mat({1, 2}, 1.0)}};
  opt.step(v, nn::replicated<double>{Mat({1, 2}, 2.0)});
  CHECK(v.value().local()(0, 1) == Approx(1.0 - 0.5 * 2.0));  // a vector: no decay
  autograd::parameter<nn::replicated<double>> m{nn::replicated<double>{Mat({2, 2}, 1.0)}};
  opt.step(m, nn::replicated<double>{Mat({2, 2}, 2.0)});
  CHECK(m.value().local()(1, 1) == Approx(1.0 - 0.5 * (2.0 + 0.1)));
}

TEST_CASE("nn adamw: bias-corrected moments and decoupled weight decay", "[nn][optim]") {
  nn::adamw opt({.lr = 0.1, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-8, .weight_decay = 0.5});
  autograd::parameter<nn::replicated<double>> m{nn::replicated<double>{Mat({2, 2}, 1.0)}};
  double x = 1.0, mo = 0, ve = 0;
  double const grads[] = {0.3, -0.2, 0.05};
  for (int t = 1; t <= 3; ++t) {
    double const g = grads[t - 1];
    opt.step(m, nn::replicated<double>{Mat({2, 2}, g)});
    mo = 0.9 * mo + 0.1 * g;
    ve = 0.99 * ve + 0.01 * g * g;
    double const mhat = mo / (1 - std::pow(0.9, t)), vhat = ve / (1 - std::pow(0.99, t));
    x -= 0.1 * (mhat / (std::sqrt(vhat) + 1e-8) + 0.5 * x);
    CHECK(m.value().local()(0, 1) == Approx(x).epsilon(1e-12));
  }
  CHECK(opt.state_elements() == 8);
}

namespace {
// A column-parallel and a row-parallel linear layer trained for 3 steps on a dp x tp mesh with
// AdamW; returns the whole parameters and (rank 0's) optimizer state size.
struct trained {
  std::vector<Mat> params;
  std::size_t state = 0;
};
trained train_two_layers(std::size_t dp, std::size_t tp, nn::dp_sync sync) {
  trained res;
  threads::run({{"dp", dp}, {"tp", tp}}, [&](threads::rank& r) {
    nn::initializer init(21);
    auto fc = nn::column_parallel_linear<double>::make(r, init, 6, 8, 0.5);
    auto proj = nn::row_parallel_linear<double>::make(r, init, 8, 3, 0.5);  // bias [1, 3]: uneven over dp = 2
    nn::adamw opt({.lr = 0.05, .weight_decay = 0.1});
    for (std::size_t step = 0; step < 3; ++step) {
      autograd::var<nn::activation<double, true>> const x{
          split_like<nn::activation<double, true>>(r, random_whole(8, 6, 30 + step))};
      autograd::tape t;
      auto const y = proj.forward<true>(r, t, autograd::gelu(fc.forward(r, t, x)));
      autograd::backward(to_loss(r, autograd::sum_all(y * y)));
      auto params = [&](auto&& f) {
        fc.for_each_parameter(f);
        proj.for_each_parameter(f);
      };
      params([&](auto& p) {
        if (sync == nn::dp_sync::zero)
          nn::zero_step(r, opt, p);
        else
          nn::all_reduce_step(r, opt, p);
      });
    }
    std::vector<Mat> ps;
    fc.for_each_parameter([&](auto& p) { ps.push_back(testing::global_value(r, p.value())); });
    proj.for_each_parameter([&](auto& p) { ps.push_back(testing::global_value(r, p.value())); });
    if (r.index() == 0) res = {std::move(ps), opt.state_elements()};
  });
  return res;
}
}  // namespace

TEST_CASE("nn zero_step (ZeRO-1) equals all_reduce_step, with 1/dp of the optimizer state", "[nn][optim]") {
  auto const serial = train_two_layers(1, 1, nn::dp_sync::all_reduce);
  auto const reduced = train_two_layers(2, 2, nn::dp_sync::all_reduce);
  auto const zero = train_two_layers(2, 2, nn::dp_sync::zero);
  auto const zero4 = train_two_layers(4, 1, nn::dp_sync::zero);
  REQUIRE(serial.params.size() == 4);
  for (std::size_t i = 0; i < serial.params.size(); ++i) {
    INFO("parameter " << i);
    CHECK(max_rel_diff(reduced.params[i], serial.params[i]) <= 1e-12);
    CHECK(max_rel_diff(zero.params[i], serial.params[i]) <= 1e-12);
    CHECK(max_rel_diff(zero4.params[i], serial.params[i]) <= 1e-12);
  }
  // Per tp rank: fc 6x4 + 1x4, proj 4x3 + 1x3 = 43 elements, 2 moments each. ZeRO over dp = 2
  // keeps 12 + 2 + 6 + 2 = 22 of them (uneven splits round up on the first rank).
  CHECK(reduced.state == 2 * 43);
  CHECK(zero.state == 2 * 22);
  CHECK(serial.state == 2 * (6 * 8 + 8 + 8 * 3 + 3));
}

TEST_CASE("nn even_split", "[nn][optim]") {
  CHECK(nn::even_split(7, 3) == std::vector<std::size_t>{3, 2, 2});
  CHECK(nn::even_split(2, 4) == std::vector<std::size_t>{1, 1, 0, 0});
}
