// The cost of the typed layer on the libtorch backend: one forward + backward of the Megatron MLP
// block, y = gelu(x @ w1 + b1) @ w2 + b2 and loss = sum(y), with the gradients of w1, b1, w2, b2,
// in one run, three ways on the same weights:
//   typed    spmd::nn::mlp<torch_tensor<T, 2>> (column-parallel linear, gelu, row-parallel linear
//            with its all_reduce over tp) recorded on a spmd::autograd tape, on the 1 x 1 mesh
//            mesh<"dp", "tp"> of spmd::threads (one thread; the all_reduce of a group of one
//            moves no data); loss = reinterpret<"dp", V, P>(sum_all(y)), then backward()
//   untyped  the same forward and the backward written by hand with the same torch_tensor
//            kernels (spmd::aten::matmul, gelu, gelu_backward, transpose, sum, ...)
//   aten     the same written by hand in ATen (at::matmul on transposed views, at::gelu,
//            at::gelu_backward, at::sum): what a libtorch user writes without torch_tensor
// for T = float and double and x, w1, w2 of n x n (n = 64, 256, 1024: tokens = hidden = ffn = n,
// as in bench_typed_overhead and bench_autograd_overhead).
//
// Columns: typed/untyped (the typed layer and the tape: target <= 1.01), typed/aten, untyped/aten
// (what the torch_tensor kernels cost over idiomatic ATen: they take contiguous tensors, so a
// transpose is a copy), all in wall time; cpu typed/untyped: the same ratio in CPU time of the
// process (CLOCK_PROCESS_CPUTIME_ID), which time slices lost to other processes do not inflate.
//
// Method (that of bench_torch_collectives and bench_mpi_collectives): per (type, n), `rounds`
// rounds; in a round each variant takes one sample, in an order shuffled from round to round; a
// sample is m back-to-back steps, m chosen once so that a sample takes >= 5 ms (at least 1
// step); fewer rounds (at least 5) where the point would take more than ~20 s. Reported: the median time per step of each variant and the median over the rounds of each
// round's ratio. Before timing, the three variants' gradients are compared (they must agree).
//
//   build/bench-torch/benchmarks/bench_torch_mlp_step [rounds=201]
//
// ATen runs on its default intra-op thread pool (one thread per core). Plain main(), no Google
// Benchmark (it cannot interleave the variants); built when the target spmd::torch exists.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <spmd/autograd.hpp>
#include <spmd/nn.hpp>
#include <spmd/runtime/threads.hpp>
#include <spmd/torch.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <time.h>

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t const n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// The compiler must assume that the data behind these pointers is read.
template <class... Ps>
void escape(Ps const*... ps) {
  for (void const* p : {static_cast<void const*>(ps)...}) asm volatile("" : : "r"(p) : "memory");
}

enum variant : int { typed, untyped, aten, variant_count };

struct result {
  char const* type;
  std::size_t n;
  int rounds;
  double time[variant_count];                      // seconds per step (median over the rounds)
  double typed_untyped, typed_aten, untyped_aten;  // medians of the per-round ratios
  double cpu_typed_untyped;                        // the same as typed_untyped, in CPU time of the process
};

/// Seconds of CPU time used by this process (all its threads) so far.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

template <class E>
struct mlp_step {
  using L = spmd::torch_tensor<E, 2>;
  using X = spmd::nn::activation<L, false>;  // [tokens, hidden], V@dp, I@tp

  spmd::threads::rank& r;
  std::size_t n;
  spmd::nn::mlp<L> block;
  spmd::autograd::var<X> x;
  // The same values for the hand-written variants.
  L xl, w1, b1, w2, b2;
  at::Tensor ax, aw1, ab1, aw2, ab2;
  // The gradients of the last step of each variant: {w1, b1, w2, b2}.
  std::array<at::Tensor, 4> grads[variant_count];

  static spmd::nn::mlp<L> make_block(spmd::threads::rank& rk, std::size_t n) {
    spmd::nn::initializer init(7);
    return spmd::nn::mlp<L>::make(rk, init, n, n, 1.0 / static_cast<double>(n));
  }

  mlp_step(spmd::threads::rank& rk, std::size_t size)
      : r(rk),
        n(size),
        block(make_block(rk, size)),
        x(X{spmd::nn::initializer(11).normal<L>(size, size, 1.0)}),
        xl(x.value().local()),
        w1(block.fc.weight.value().local()),
        b1(block.fc.bias->value().local()),
        w2(block.proj.weight.value().local()),
        b2(block.proj.bias.value().local()),
        ax(xl.aten().clone()),
        aw1(w1.aten().clone()),
        ab1(b1.aten().clone()),
        aw2(w2.aten().clone()),
        ab2(b2.aten().clone()) {}

  void step_typed(bool keep) {
    namespace ag = spmd::autograd;
    ag::tape t;
    auto y = block.forward(r, t, x);
    auto loss = ag::reinterpret<"dp", spmd::V, spmd::P>(r, ag::sum_all(y));
    ag::backward(loss);
    auto const& fc = block.fc;
    auto const& proj = block.proj;
    escape(fc.weight.grad().local().data(), fc.bias->grad().local().data(), proj.weight.grad().local().data(),
           proj.bias.grad().local().data());
    if (keep)
      grads[typed] = {fc.weight.grad().local().aten(), fc.bias->grad().local().aten(),
                      proj.weight.grad().local().aten(), proj.bias.grad().local().aten()};
    block.for_each_parameter([](auto& p) { p.zero_grad(); });
  }

  void step_untyped(bool keep) {
    using namespace spmd::aten;  // the torch_tensor kernels
    L const a = add(matmul(xl, w1), b1);
    L const h = gelu(a);
    L const y = add(matmul(h, w2), b2);
    auto const loss = sum(sum(y, 1), 0);
    escape(loss.data());
    L const g({n, n}, E{1});  // d loss / d y
    L const gw2 = matmul(transpose(h, 0, 1), g);
    L const gb2 = unsqueeze(sum(g, 0), 0);
    L const ga = gelu_backward(a, matmul(g, transpose(w2, 0, 1)));
    L const gw1 = matmul(transpose(xl, 0, 1), ga);
    L const gb1 = unsqueeze(sum(ga, 0), 0);
    escape(gw1.data(), gb1.data(), gw2.data(), gb2.data());
    if (keep) grads[untyped] = {gw1.aten(), gb1.aten(), gw2.aten(), gb2.aten()};
  }

  void step_aten(bool keep) {
    at::Tensor const a = at::matmul(ax, aw1) + ab1;
    at::Tensor const h = at::gelu(a, "tanh");
    at::Tensor const y = at::matmul(h, aw2) + ab2;
    at::Tensor const loss = at::sum(y);
    escape(loss.data_ptr<E>());
    at::Tensor const g = at::ones_like(y);  // d loss / d y
    at::Tensor const gw2 = at::matmul(h.t(), g);
    at::Tensor const gb2 = at::sum(g, {0}, /*keepdim=*/true);
    at::Tensor const ga = at::gelu_backward(at::matmul(g, aw2.t()), a, "tanh");
    at::Tensor const gw1 = at::matmul(ax.t(), ga);
    at::Tensor const gb1 = at::sum(ga, {0}, /*keepdim=*/true);
    escape(gw1.data_ptr<E>(), gb1.data_ptr<E>(), gw2.data_ptr<E>(), gb2.data_ptr<E>());
    if (keep) grads[aten] = {gw1, gb1, gw2, gb2};
  }

  void run(int v, long m) {
    for (long i = 0; i < m; ++i) {
      if (v == typed)
        step_typed(false);
      else if (v == untyped)
        step_untyped(false);
      else
        step_aten(false);
    }
  }

  /// {wall seconds, CPU seconds of the process} for m steps of variant v.
  std::array<double, 2> sample(int v, long m) {
    double const c0 = cpu_seconds();
    auto const t0 = std::chrono::steady_clock::now();
    run(v, m);
    double const wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return {wall, cpu_seconds() - c0};
  }

  /// Throws if the variants' gradients differ (beyond rounding).
  void check() {
    step_typed(true);
    step_untyped(true);
    step_aten(true);
    char const* names[] = {"w1", "b1", "w2", "b2"};
    double const tol = sizeof(E) == 4 ? 1e-3 : 1e-9;
    for (int v : {untyped, aten})
      for (std::size_t k = 0; k < 4; ++k)
        if (!at::allclose(grads[typed][k], grads[v][k], tol, tol))
          throw std::runtime_error(std::string("bench_torch_mlp_step: the gradient of ") + names[k] +
                                   " differs (n = " + std::to_string(n) + ")");
  }
};

template <class E>
result measure(spmd::threads::rank& r, char const* type, std::size_t n, int rounds) {
  mlp_step<E> s(r, n);
  s.check();  // also the warm-up: one step of each variant
  long m = 1;
  double t_step = 0;
  for (;;) {
    double const t = s.sample(untyped, m)[0];
    t_step = t / static_cast<double>(m);
    if (t >= 5e-3 || m >= (1L << 20)) break;
    m = std::max(m * 2, static_cast<long>(static_cast<double>(m) * 6e-3 / std::max(t, 1e-9)));
  }
  // At most ~20 s per point (n = 1024 takes seconds per step on this backend's CPU BLAS), at
  // least 5 rounds.
  rounds = std::clamp(static_cast<int>(20.0 / (static_cast<double>(variant_count) * t_step * static_cast<double>(m))),
                      5, rounds);
  std::vector<double> t[variant_count], typed_untyped, typed_aten, untyped_aten, cpu_typed_untyped;
  std::mt19937 shuffle_gen(12345);
  std::array<int, variant_count> order{typed, untyped, aten};
  for (int round = 0; round < rounds; ++round) {
    double dt[variant_count] = {}, cpu[variant_count] = {};
    std::shuffle(order.begin(), order.end(), shuffle_gen);
    for (int k : order) {
      auto const [wall, used] = s.sample(k, m);
      dt[k] = wall / static_cast<double>(m);
      cpu[k] = used;
    }
    cpu_typed_untyped.push_back(cpu[typed] / cpu[untyped]);
    for (int k = 0; k < variant_count; ++k) t[k].push_back(dt[k]);
    typed_untyped.push_back(dt[typed] / dt[untyped]);
    typed_aten.push_back(dt[typed] / dt[aten]);
    untyped_aten.push_back(dt[untyped] / dt[aten]);
  }
  result out{
      type, n, rounds, {}, median(typed_untyped), median(typed_aten), median(untyped_aten), median(cpu_typed_untyped)};
  for (int k = 0; k < variant_count; ++k) out.time[k] = median(t[k]);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int const rounds = argc > 1 ? std::max(3, std::atoi(argv[1])) : 201;
  std::vector<result> results;
  spmd::threads::run({{"dp", 1}, {"tp", 1}}, [&](spmd::threads::rank& r) {
    for (std::size_t n : {64, 256, 1024}) results.push_back(measure<float>(r, "float", n, rounds));
    for (std::size_t n : {64, 256, 1024}) results.push_back(measure<double>(r, "double", n, rounds));
  });
  std::printf(
      "spmd torch MLP block forward + backward (n x n x n), at most %d rounds per point, ATen threads %d; times per "
      "step (median); ratios: median of the per-round ratios\n",
      rounds, at::get_num_threads());
  std::printf("%-7s %6s %6s %11s %11s %11s %14s %11s %13s %18s\n", "type", "n", "rounds", "typed us", "untyped us",
              "aten us", "typed/untyped", "typed/aten", "untyped/aten", "cpu typed/untyped");
  for (auto const& x : results)
    std::printf("%-7s %6zu %6d %11.1f %11.1f %11.1f %14.3f %11.3f %13.3f %18.3f\n", x.type, x.n, x.rounds,
                x.time[typed] * 1e6, x.time[untyped] * 1e6, x.time[aten] * 1e6, x.typed_untyped, x.typed_aten,
                x.untyped_aten, x.cpu_typed_untyped);
  return 0;
}
