// One Megatron MLP block, y = gelu(x @ w1 + b1) @ w2 + b2, under tensor parallelism with and
// without sequence parallelism, data parallel over "dp", trained for a few SGD steps on a
// regression target. Prints the type (placement on every mesh axis) of every tensor, and checks
// the output, the gradients of the input and of every parameter, the loss of every step and the
// final parameters against a serial run (a 1 x 1 mesh). Exit status 1 on a mismatch.
//
//   megatron_mlp [--dp N] [--tp N] [--sp on|off|both] [--steps N] [--seed N] [--runtime threads|mpi]
//
// --runtime mpi (built with MPI: SPMD_HAVE_MPI): the parallel runs use one MPI process per rank
// (mpirun -np 4 megatron_mlp --runtime mpi --dp 2 --tp 2); the serial reference runs on threads.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <vector>
#include <spmd/autograd.hpp>
#include <spmd/format.hpp>
#include <spmd/nn.hpp>
#include <spmd/runtime/threads.hpp>
#include <spmd/testing/global.hpp>

#ifdef SPMD_HAVE_MPI
#include <spmd/runtime/mpi.hpp>
#endif

#include "options.hpp"

using namespace spmd;
using Mat = local::dense<double, 2>;

namespace {

struct options {
  std::size_t dp = 2, tp = 2, steps = 3;
  int sp = -1;  // -1: both
  bool mpi = false;
  std::uint64_t seed = 1;
};

examples::program const prog{"megatron_mlp",
                             "[--dp N] [--tp N] [--sp on|off|both] [--steps N] [--seed N] [--runtime threads|mpi]"};

options parse(int argc, char** argv) {
  options o;
  examples::scan(prog, argc, argv, [&](examples::arg const& a) {
    if (a.is("--sp"))
      o.sp = a.choice<int>({{"on", 1}, {"off", 0}, {"both", -1}}, "--sp on|off|both");
    else
      return examples::mesh_arg(a, o);
    return true;
  });
  if (o.dp == 0 || o.tp == 0) prog.usage("--dp and --tp must be at least 1");
  return o;
}

// Sizes of the global problem: tokens (all dp ranks), hidden width, MLP inner width.
constexpr std::size_t tokens = 16, hidden = 8, ffn = 32;

// What a run produces, as whole tensors (on every rank; recorded by rank 0).
struct outcome {
  Mat y, dx;                   // output and input gradient of the first step
  std::vector<Mat> grads;      // parameter gradients of the first step (w1, b1, w2, b2)
  std::vector<double> losses;  // loss of every step
  std::vector<Mat> params;     // parameters after the last step
};

// Rows [first, first + count) of m.
Mat rows(Mat const& m, std::size_t first, std::size_t count) {
  Mat out({count, m.extent(1)});
  for (std::size_t i = 0; i < count; ++i)
    for (std::size_t j = 0; j < m.extent(1); ++j) out(i, j) = m(first + i, j);
  return out;
}

// The whole value of an activation: the tp pieces of the tokens concatenated (S(0)), then the
// dp ranks' tokens concatenated.
template <class Rank, class X>
Mat whole_activation(Rank& r, X const& x) {
  if constexpr (nn::is_sequence_parallel<X>)
    return spmd::all_gather<"dp", I, 0>(r, spmd::all_gather<"tp", I>(r, x)).local();
  else
    return spmd::all_gather<"dp", I, 0>(r, x).local();
}

template <class X>
void show(bool lead, char const* what, X const& x) {
  if (lead) std::printf("  %-34s %s\n", what, fmt::format("{}", x).c_str());
}

/// Runs fn(rank&) on every rank of the dp x tp mesh: on MPI processes or on threads.
template <class F>
void on_mesh(bool mpi, std::size_t dp, std::size_t tp, F&& fn) {
#ifdef SPMD_HAVE_MPI
  if (mpi) return spmd::mpi::run({{"dp", dp}, {"tp", tp}}, fn);
#else
  if (mpi) throw std::invalid_argument("--runtime mpi: this program was built without MPI");
#endif
  threads::run({{"dp", dp}, {"tp", tp}}, fn);
}

template <bool SP>
outcome run(std::size_t dp, std::size_t tp, std::size_t steps, std::uint64_t seed, bool print, bool mpi = false) {
  using Act = nn::activation<double, SP>;  // (V, S0) with SP, (V, I) without
  outcome res;
  on_mesh(mpi, dp, tp, [&](auto& r) {
    bool const lead = print && r.index() == 0;
    nn::initializer init(seed);
    auto block = nn::mlp<double>::make(r, init, hidden, ffn, 0.3);
    Mat const x_whole = init.normal<double>(tokens, hidden, 1.0),
              target_whole = init.normal<double>(tokens, hidden, 1.0);
    if (tokens % dp) throw std::invalid_argument("megatron_mlp: dp must divide 16");
    std::size_t const per_rank = tokens / dp;
    // This dp rank's tokens, I on tp; with SP, this tp rank's share of them.
    auto const local_tokens = [&](Mat const& m) {
      nn::tensor2<double, V, I> mine{rows(m, r.coord("dp") * per_rank, per_rank)};
      if constexpr (SP)
        return spmd::convert<"tp", I, S<0>>(r, mine);
      else
        return mine;
    };
    autograd::parameter<Act> x{local_tokens(x_whole)};  // a parameter only to see its gradient
    autograd::var<Act> const target{local_tokens(target_whole)};
    nn::sgd opt{.lr = 0.1};

    for (std::size_t step = 0; step < steps; ++step) {
      autograd::tape t;
      bool const first = step == 0;
      auto const xv = x.on(t);
      // The block written out (what nn::mlp::forward does), to show every type.
      auto const xr = nn::enter_column_parallel(r, xv);                                   // (V, R)
      auto const h = autograd::matmul(xr, block.fc.weight.on(t)) + block.fc.bias->on(t);  // (V, S1)
      auto const a = autograd::gelu(h);                                                   // (V, S1)
      auto const yp = autograd::matmul(a, block.proj.weight.on(t), out_partial<"tp">);    // (V, P)
      auto const yr = nn::leave_row_parallel<SP>(r, yp);                                  // (V, S0 | I)
      auto const y = yr + nn::replicated_operand<Act>(r, block.proj.bias.on(t));
      auto const d = y - target;
      // loss = 0.5 * sum (y - target)^2 / tokens. With SP the tokens are sharded on tp, so the sum
      // over this rank's elements is a partial sum there, P@tp (sum_all says so); without, I@tp.
      // Each dp rank sums its own batch: V@dp, declared a pending sum over dp.
      auto const part = autograd::sum_all(d * d) * (0.5 / static_cast<double>(tokens));  // (V, P | I)
      auto const loss = autograd::reinterpret<"dp", V, P>(r, part);                      // (P, P | I)
      autograd::backward(loss);
      double const global = [&] {
        if constexpr (SP)
          return spmd::all_reduce<"dp", I>(r, spmd::all_reduce<"tp", I>(r, loss.value())).local()(0, 0);
        else
          return spmd::all_reduce<"dp", I>(r, loss.value()).local()(0, 0);
      }();
      // (a collective: every rank calls it, only rank 0 prints)
      auto const w1_grad_synced = spmd::all_reduce<"dp", R>(r, block.fc.weight.grad());
      if (lead && first) {
        std::printf("SP %s, mesh dp=%zu x tp=%zu\n", SP ? "on" : "off", dp, tp);
        show(lead, "x (block input)", xv.value());
        show(lead, "x entering the column-parallel mm", xr.value());
        show(lead, "w1 (column-parallel)", block.fc.weight.value());
        show(lead, "b1", block.fc.bias->value());
        show(lead, "h = x @ w1 + b1", h.value());
        show(lead, "gelu(h)", a.value());
        show(lead, "w2 (row-parallel)", block.proj.weight.value());
        show(lead, "gelu(h) @ w2, out_partial<tp>", yp.value());
        show(lead, SP ? "reduce_scatter<tp, 0>" : "all_reduce<tp, I>", yr.value());
        show(lead, "b2 (replicated)", block.proj.bias.value());
        show(lead, "y (block output)", y.value());
        show(lead, "loss", loss.value());
        show(lead, "grad x", x.grad());
        show(lead, "grad w1", block.fc.weight.grad());
        show(lead, "grad b1", block.fc.bias->grad());
        show(lead, "grad w2", block.proj.weight.grad());
        show(lead, "grad b2", block.proj.bias.grad());
        show(lead, "grad w1 after all_reduce<dp, R>", w1_grad_synced);
      }
      if (first) {
        // Whole values (collectives: every rank takes part).
        Mat yw = whole_activation(r, y.value()), dxw = whole_activation(r, x.grad());
        std::vector<Mat> g;
        g.push_back(testing::global_value(r, block.fc.weight.grad()));
        g.push_back(testing::global_value(r, block.fc.bias->grad()));
        g.push_back(testing::global_value(r, block.proj.weight.grad()));
        g.push_back(testing::global_value(r, block.proj.bias.grad()));
        if (r.index() == 0) {
          res.y = std::move(yw);
          res.dx = std::move(dxw);
          res.grads = std::move(g);
        }
      }
      x.zero_grad();
      nn::step(r, opt, block);  // all_reduce<"dp", R> of every gradient, then SGD
      if (r.index() == 0) res.losses.push_back(global);
    }
    std::vector<Mat> p;
    block.for_each_parameter([&](auto& param) { p.push_back(testing::global_value(r, param.value())); });
    if (r.index() == 0) res.params = std::move(p);
  });
  return res;
}

double max_rel_diff(Mat const& a, Mat const& b) {
  if (a.shape() != b.shape()) return INFINITY;
  double diff = 0, scale = 1e-12;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::fmax(diff, std::fabs(a.data()[i] - b.data()[i]));
    scale = std::fmax(scale, std::fabs(b.data()[i]));
  }
  return diff / scale;
}

bool compare(outcome const& par, outcome const& ser, char const* name) {
  double worst = std::fmax(max_rel_diff(par.y, ser.y), max_rel_diff(par.dx, ser.dx));
  for (std::size_t i = 0; i < ser.grads.size(); ++i) worst = std::fmax(worst, max_rel_diff(par.grads[i], ser.grads[i]));
  for (std::size_t i = 0; i < ser.params.size(); ++i)
    worst = std::fmax(worst, max_rel_diff(par.params[i], ser.params[i]));
  for (std::size_t i = 0; i < ser.losses.size(); ++i)
    worst = std::fmax(worst, std::fabs(par.losses[i] - ser.losses[i]) / std::fabs(ser.losses[i]));
  std::printf("%s: loss per step", name);
  for (double l : par.losses) std::printf(" %.6f", l);
  std::printf("; max relative difference to the serial run (output, gradients, losses, parameters): %.2e\n", worst);
  return worst <= 1e-10;
}

}  // namespace

int main(int argc, char** argv) {
  options const o = parse(argc, argv);
#ifdef SPMD_HAVE_MPI
  std::optional<spmd::mpi::environment> env;  // MPI: every process runs main; rank 0 compares
  if (o.mpi) env.emplace(argc, argv);
  bool const lead = !env || env->world_rank() == 0;
#else
  bool const lead = true;
#endif
  bool ok = true;
  try {
    outcome const serial = run<false>(1, 1, o.steps, o.seed, false);  // threads, in every process
    auto const check = [&](outcome const& par, char const* name) {
      if (lead) ok &= compare(par, serial, name);
    };
    if (o.sp != 0) check(run<true>(o.dp, o.tp, o.steps, o.seed, true, o.mpi), "SP on ");
    if (o.sp != 1) check(run<false>(o.dp, o.tp, o.steps, o.seed, true, o.mpi), "SP off");
  } catch (std::exception const& e) {
    std::fprintf(stderr, "megatron_mlp: %s\n", e.what());
    return 1;
  }
  if (!lead) return 0;
  std::puts(ok ? "OK: tensor/sequence/data-parallel results equal the serial run"
               : "FAILED: results differ from the serial run");
  return ok ? 0 : 1;
}
