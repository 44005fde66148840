// Shared by tests/unit/test_serial_equivalence*.cpp: trains the same tiny GPT, initialised from
// one seed, on a dp x tp mesh and returns the loss of every step and the final parameters as
// whole tensors, so that parallel runs can be compared with the serial (1 x 1) run.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include <spmd/autograd.hpp>
#include <spmd/nn.hpp>
#include <spmd/runtime/threads.hpp>
#include <spmd/testing/global.hpp>

namespace spmd_test {

struct training_run {
  std::vector<double> losses;                         // global loss of every step
  std::vector<spmd::local::dense<double, 2>> params;  // final parameters, whole (gathered)
};

inline spmd::nn::gpt_config tiny_gpt() {
  spmd::nn::gpt_config c;
  c.vocab = 32;
  c.hidden = 16;
  c.heads = 4;
  c.layers = 2;
  c.seq = 8;
  c.ffn = 32;
  c.embed_std = 0.5;
  return c;
}

enum class optimizer_kind { adamw, sgd };

/// How a run trains: gradient synchronisation over dp, optimizer, QKV bias, global batch.
struct run_options {
  spmd::nn::dp_sync sync = spmd::nn::dp_sync::all_reduce;
  optimizer_kind optimizer = optimizer_kind::adamw;
  bool qkv_bias = false;
  std::size_t batch = 4;  // sequences of the global batch
};

/// `steps` steps of the tiny GPT on a dp x tp mesh (random tokens from `seed`), with sequence
/// parallelism SP, element type T.
template <class T, bool SP>
training_run train_tiny_gpt(std::size_t dp, std::size_t tp, std::size_t steps, std::uint64_t seed,
                            run_options const& opt = {}) {
  using namespace spmd;
  training_run res;
  auto cfg = tiny_gpt();
  cfg.qkv_bias = opt.qkv_bias;
  std::size_t const batch = opt.batch;
  threads::run({{"dp", dp}, {"tp", tp}}, [&](threads::rank& r) {
    nn::gpt<T> model(r, cfg, seed);
    nn::adamw adam({.lr = 1e-2, .weight_decay = 0.1});
    nn::sgd sgd{.lr = 0.5, .weight_decay = 0.1};
    std::size_t const per_rank = batch / dp, first = r.coord("dp") * per_rank;
    std::vector<int> ids, targets;
    for (std::size_t step = 0; step < steps; ++step) {
      ids.clear();
      targets.clear();
      for (std::size_t b = first; b < first + per_rank; ++b) {
        nn::rng g(nn::derive_seed(seed + 17, step * 1000 + b));
        std::vector<int> s(cfg.seq + 1);
        for (auto& x : s) x = static_cast<int>(g.below(cfg.vocab));
        ids.insert(ids.end(), s.begin(), s.end() - 1);
        targets.insert(targets.end(), s.begin() + 1, s.end());
      }
      nn::tape t;
      auto loss = model.template loss<SP>(r, t, ids, targets);
      autograd::backward(loss);
      double const global = static_cast<double>(nn::global_loss(r, loss));
      if (opt.optimizer == optimizer_kind::adamw)
        nn::step(r, adam, model, opt.sync);
      else
        nn::step(r, sgd, model, opt.sync);
      if (r.index() == 0) res.losses.push_back(global);
    }
    std::vector<local::dense<double, 2>> params;
    model.for_each_parameter([&](auto& p) {
      auto const whole = testing::global_value(r, p.value());
      local::dense<double, 2> d(whole.shape());
      for (std::size_t i = 0; i < whole.size(); ++i) d.data()[i] = static_cast<double>(whole.data()[i]);
      params.push_back(std::move(d));
    });
    if (r.index() == 0) res.params = std::move(params);
  });
  return res;
}

/// The largest relative difference between two runs: per step |loss_a - loss_b| / |loss_b|, per
/// parameter max |a - b| / max |b|.
inline double max_relative_difference(training_run const& a, training_run const& b) {
  if (a.losses.size() != b.losses.size() || a.params.size() != b.params.size()) return INFINITY;
  double worst = 0;
  for (std::size_t i = 0; i < a.losses.size(); ++i)
    worst = std::fmax(worst, std::fabs(a.losses[i] - b.losses[i]) / std::fabs(b.losses[i]));
  for (std::size_t k = 0; k < a.params.size(); ++k) {
    auto const& x = a.params[k];
    auto const& y = b.params[k];
    if (x.shape() != y.shape()) return INFINITY;
    double diff = 0, scale = 1e-30;
    for (std::size_t i = 0; i < x.size(); ++i) {
      diff = std::fmax(diff, std::fabs(x.data()[i] - y.data()[i]));
      scale = std::fmax(scale, std::fabs(y.data()[i]));
    }
    worst = std::fmax(worst, diff / scale);
  }
  return worst;
}

}  // namespace spmd_test
