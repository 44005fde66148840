// Trains a small GPT on a dp x tp mesh (threads runtime), Megatron style: vocab-parallel
// embedding and cross entropy, tensor-parallel attention and MLP, sequence parallelism between
// them (on by default), data-parallel gradients all-reduced (or reduce-scattered, ZeRO-1) before
// an AdamW step. Every parameter and activation carries its placement in its type.
//
// The data is synthetic and deterministic from the seed: each sequence follows a fixed random
// successor table of the vocabulary (next = succ[token]) with a little noise, so there is a
// pattern to learn and the loss falls clearly from log(vocab).
//
//   train_gpt [--dp N] [--tp N] [--sp on|off] [--steps N] [--seed N] [--batch N]
//             [--precision double|float] [--sync allreduce|zero] [--lr X]
//             [--backend dense|torch] [--runtime threads|mpi|c10d] [--losses short|exact]
//
// --runtime mpi (built with MPI: SPMD_HAVE_MPI): one MPI process per rank, e.g.
//   mpirun -np 4 train_gpt --runtime mpi --dp 2 --tp 2
// --backend torch (built with libtorch: SPMD_HAVE_TORCH): the local tensors are libtorch tensors
// (spmd::torch_tensor) and, unless --runtime says otherwise, the ranks are processes joined by c10d
// process groups (Gloo), launched like torchrun does, e.g.
//   scripts/torchrun.sh -n 4 train_gpt --backend torch --dp 2 --tp 2
// The same seed gives the same losses on every backend and runtime (to rounding).
//
// Exit status 1 if the loss does not fall (or is not finite).
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <vector>
#include <spmd/autograd.hpp>
#include <spmd/format.hpp>
#include <spmd/nn.hpp>
#include <spmd/runtime/threads.hpp>

#ifdef SPMD_HAVE_MPI
#include <spmd/runtime/mpi.hpp>
#endif
#ifdef SPMD_HAVE_TORCH
#include <spmd/runtime/c10d.hpp>
#include <spmd/torch.hpp>
#endif

#include "options.hpp"

using namespace spmd;

namespace {

enum class runtime_kind { threads, mpi, c10d };

struct options {
  std::size_t dp = 2, tp = 2, steps = 100, batch = 8;
  bool sp = true, use_float = false, zero = false, mpi = false, torch = false;
  std::optional<runtime_kind> runtime;
  bool exact = false;  // print losses with all digits (to compare runs)
  std::uint64_t seed = 1;
  double lr = 3e-3;
};

examples::program const prog{
    "train_gpt",
    "[--dp N] [--tp N] [--sp on|off] [--steps N] [--seed N] [--batch N]\n"
    "                 [--precision double|float] [--sync allreduce|zero] [--lr X]\n"
    "                 [--backend dense|torch] [--runtime threads|mpi|c10d] [--losses short|exact]"};

options parse(int argc, char** argv) {
  options o;
  examples::scan(prog, argc, argv, [&](examples::arg const& a) {
    if (a.is("--batch"))
      o.batch = a.number();
    else if (a.is("--lr"))
      o.lr = a.real();
    else if (a.is("--sp"))
      o.sp = a.choice<bool>({{"on", true}, {"off", false}}, "--sp on|off");
    else if (a.is("--precision"))
      o.use_float = a.choice<bool>({{"float", true}, {"double", false}}, "--precision double|float");
    else if (a.is("--losses"))
      o.exact = a.choice<bool>({{"exact", true}, {"short", false}}, "--losses short|exact");
    else if (a.is("--sync"))
      o.zero = a.choice<bool>({{"zero", true}, {"allreduce", false}}, "--sync allreduce|zero");
    else if (a.is("--backend"))
      o.torch = a.choice<bool>({{"torch", true}, {"dense", false}}, "--backend dense|torch");
    else if (a.is("--runtime"))
      o.runtime = a.choice<runtime_kind>({{"threads", runtime_kind::threads},
                                          {"mpi", runtime_kind::mpi},
                                          {"c10d", runtime_kind::c10d}},
                                         "--runtime threads|mpi|c10d");
    else
      return examples::mesh_arg(a, o);
    return true;
  });
  // --backend torch runs on c10d process groups unless another runtime is asked for.
  if (!o.runtime) o.runtime = o.torch ? runtime_kind::c10d : runtime_kind::threads;
  o.mpi = *o.runtime == runtime_kind::mpi;
#ifndef SPMD_HAVE_MPI
  if (o.mpi) prog.usage("--runtime mpi: this program was built without MPI");
#endif
#ifndef SPMD_HAVE_TORCH
  if (o.torch || *o.runtime == runtime_kind::c10d)
    prog.usage("--backend torch, --runtime c10d: this program was built without libtorch");
#endif
  if (o.dp == 0 || o.tp == 0 || o.steps == 0 || o.batch == 0 || o.batch % o.dp)
    prog.usage("--batch must be a multiple of --dp");
  return o;
}

/// The synthetic corpus: a fixed random successor of every token; a sequence starts anywhere and
/// follows its successors, with probability `noise` of a random token instead.
struct successor_data {
  std::size_t vocab, seq;
  std::vector<int> succ;
  double noise = 0.1;

  successor_data(std::size_t v, std::size_t s, std::uint64_t seed) : vocab(v), seq(s), succ(v) {
    nn::rng g(nn::derive_seed(seed, 1000));
    for (std::size_t i = 0; i < v; ++i) succ[i] = static_cast<int>(i);
    for (std::size_t i = v; i > 1; --i) std::swap(succ[i - 1], succ[g.below(i)]);
  }
  /// Sequences [first, first + count) of the global batch of `step`: ids and next-token targets.
  void batch(std::uint64_t seed, std::size_t step, std::size_t first, std::size_t count, std::vector<int>& ids,
             std::vector<int>& targets) const {
    ids.clear();
    targets.clear();
    for (std::size_t b = first; b < first + count; ++b) {
      nn::rng g(nn::derive_seed(seed, (step + 1) * 100003 + b));
      int tok = static_cast<int>(g.below(vocab));
      for (std::size_t i = 0; i <= seq; ++i) {
        if (i < seq) ids.push_back(tok);
        if (i > 0) targets.push_back(tok);
        tok = g.uniform() < noise ? static_cast<int>(g.below(vocab)) : succ[static_cast<std::size_t>(tok)];
      }
    }
  }
};

struct result {
  std::vector<double> losses;
  double seconds = 0;
  std::size_t state_elements = 0;
};

/// Runs fn(rank&) on every rank of the dp x tp mesh, on the runtime the options ask for.
template <class F>
void on_mesh(options const& o, F&& fn) {
#ifdef SPMD_HAVE_MPI
  if (o.mpi) return spmd::mpi::run({{"dp", o.dp}, {"tp", o.tp}}, fn);
#endif
#ifdef SPMD_HAVE_TORCH
  if (*o.runtime == runtime_kind::c10d) return spmd::dist::run({{"dp", o.dp}, {"tp", o.tp}}, fn);
#endif
  threads::run({{"dp", o.dp}, {"tp", o.tp}}, fn);
}

template <class T, bool SP>
result train(options const& o, nn::gpt_config const& cfg) {
  result res;
  successor_data const data(cfg.vocab, cfg.seq, o.seed);
  on_mesh(o, [&](auto& r) {
    nn::gpt<T> model(r, cfg, o.seed);
    nn::adamw opt({.lr = o.lr, .weight_decay = 0.01});
    std::size_t const per_rank = o.batch / o.dp;
    std::vector<int> ids, targets;
    bool const lead = r.index() == 0;
    auto const start = std::chrono::steady_clock::now();
    auto last = start;
    for (std::size_t step = 0; step < o.steps; ++step) {
      data.batch(o.seed, step, r.coord("dp") * per_rank, per_rank, ids, targets);
      nn::tape tape;
      auto loss = model.template loss<SP>(r, tape, ids, targets);  // (P@dp, I@tp) [1, 1]
      autograd::backward(loss);
      nn::step(r, opt, model, o.zero ? nn::dp_sync::zero : nn::dp_sync::all_reduce);
      double const global = static_cast<double>(nn::global_loss(r, loss));
      if (lead) {
        auto const now = std::chrono::steady_clock::now();
        double const dt = std::chrono::duration<double>(now - last).count();
        last = now;
        res.losses.push_back(global);
        std::printf(o.exact ? "step %4zu  loss %.17g  %8.0f tokens/s  %6.1f ms\n"
                            : "step %4zu  loss %.4f  %8.0f tokens/s  %6.1f ms\n",
                    step + 1, global, static_cast<double>(o.batch * cfg.seq) / dt, 1e3 * dt);
        std::fflush(stdout);
      }
    }
    if (lead) {
      res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      res.state_elements = opt.state_elements();
    }
  });
  return res;
}

/// T: the element parameter of the layers, float, double or a local tensor type (nn/types.hpp).
template <class T>
result train_with(options const& o, nn::gpt_config const& cfg) {
  return o.sp ? train<T, true>(o, cfg) : train<T, false>(o, cfg);
}

template <class T>
result train_on_backend(options const& o, nn::gpt_config const& cfg) {
#ifdef SPMD_HAVE_TORCH
  if (o.torch) return train_with<spmd::torch_tensor<T, 2>>(o, cfg);
#endif
  return train_with<T>(o, cfg);
}

}  // namespace

int main(int argc, char** argv) {
  options const o = parse(argc, argv);
#ifdef SPMD_HAVE_MPI
  std::optional<spmd::mpi::environment> env;  // MPI: every process runs main; rank 0 prints
  if (o.mpi) env.emplace(argc, argv);
  bool lead = !env || env->world_rank() == 0;
#else
  bool lead = true;
#endif
#ifdef SPMD_HAVE_TORCH
  if (*o.runtime == runtime_kind::c10d) lead = spmd::dist::launch_rank() == 0;  // every process runs main
#endif
  nn::gpt_config cfg;
  cfg.vocab = 128;
  cfg.hidden = 64;
  cfg.heads = 4;
  cfg.layers = 2;
  cfg.seq = 32;

  // The types of the parameters and activations (printed from the types themselves).
  using Tn = double;
  if (lead) {
    std::printf("GPT: %zu layers, hidden %zu, %zu heads, vocab %zu, seq %zu, %zu parameters\n", cfg.layers, cfg.hidden,
                cfg.heads, cfg.vocab, cfg.seq, cfg.parameter_count());
    std::printf("mesh dp=%zu x tp=%zu, sequence parallel %s, %s %s, gradients %s, global batch %zu x %zu tokens\n",
                o.dp, o.tp, o.sp ? "on" : "off", o.torch ? "libtorch" : "dense", o.use_float ? "float" : "double",
                o.zero ? "reduce-scattered (ZeRO-1)" : "all-reduced", o.batch, cfg.seq);
    std::printf("  embedding table %s, position table %s\n", type_name<nn::vocab_table<Tn>>().c_str(),
                type_name<nn::replicated<Tn>>().c_str());
    std::printf("  column-parallel weight %s, row-parallel weight %s, layer norm %s\n",
                type_name<nn::column_weight<Tn>>().c_str(), type_name<nn::row_weight<Tn>>().c_str(),
                type_name<nn::replicated<Tn>>().c_str());
    std::printf("  activations %s, logits %s, loss %s\n",
                (o.sp ? type_name<nn::activation<Tn, true>>() : type_name<nn::activation<Tn, false>>()).c_str(),
                type_name<nn::column_out<Tn>>().c_str(), type_name<nn::loss_tensor<Tn>>().c_str());
  }

  result res;
  try {
    res = o.use_float ? train_on_backend<float>(o, cfg) : train_on_backend<double>(o, cfg);
  } catch (std::exception const& e) {
    std::fprintf(stderr, "train_gpt: %s\n", e.what());
    return 1;
  }
  if (!lead) return 0;

  std::size_t const n = res.losses.size(), k = n < 5 ? n : 5;
  double first = 0, final = 0;
  for (std::size_t i = 0; i < k; ++i) {
    first += res.losses[i] / static_cast<double>(k);
    final += res.losses[n - k + i] / static_cast<double>(k);
  }
  std::printf(
      "summary: %zu steps in %.2f s (%.1f ms/step, %.0f tokens/s); loss %.4f -> %.4f (mean of first/last %zu; "
      "log(vocab) = %.4f); optimizer state %zu values on rank 0\n",
      n, res.seconds, 1e3 * res.seconds / static_cast<double>(n),
      static_cast<double>(n * o.batch * cfg.seq) / res.seconds, first, final, k,
      std::log(static_cast<double>(cfg.vocab)), res.state_elements);
  if (!std::isfinite(final) || (n >= 20 && !(final < 0.75 * first))) {
    std::puts("FAILED: the loss did not fall");
    return 1;
  }
  std::puts(n >= 20 ? "OK: the loss fell" : "OK (too few steps to judge the loss)");
  return 0;
}
