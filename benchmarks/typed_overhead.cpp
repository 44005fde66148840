// Zero run-time cost: the same computation on spmd::tensor, on the bare local tensor, and on the
// run-time-checked sharding layer of checked_layer.hpp (what one would use instead of types:
// layouts as values, checked on every op), timed in one run. Prints the typed / untyped and
// checked / untyped time ratios per case (typed expected ~1.00: the types only exist in the
// compiler). Run with --benchmark_repetitions=K --benchmark_enable_random_interleaving=true (as
// scripts/bench.sh does) to compare medians of interleaved repetitions.
// This file has its own main() instead of BENCHMARK_MAIN() (it prints the ratios at the end).
#include <benchmark/benchmark.h>

#include <spmd/dense.hpp>

#include "checked_layer.hpp"
#include "ratio_reporter.hpp"

#include <cstdint>
#include <cstdio>
#include <stdexcept>

using namespace spmd;

namespace {

using Mesh = mesh<"dp", "tp">;
using Mat = local::dense<float, 2>;
using Act = tensor<Mat, Mesh, layout<V, R>>;
using W1 = tensor<Mat, Mesh, layout<R, S<1>>>;
using W2 = tensor<Mat, Mesh, layout<R, S<0>>>;

namespace checked = bench::checked;
constexpr checked::layout act_layout{2, {checked::V, checked::R}};
constexpr checked::layout w1_layout{2, {checked::R, checked::S(1)}};
constexpr checked::layout w2_layout{2, {checked::R, checked::S(0)}};
constexpr std::uint64_t tp_bit = 1u << 1;  // out_partial<"tp">: "tp" is mesh axis 1

Mat make(std::size_t rows, std::size_t cols, float seed) {
  Mat m({rows, cols});
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = 0.001f * static_cast<float>((i * 7 + 3) % 97) + seed;
  return m;
}

// A tensor-parallel MLP block: gelu(x @ w1) @ w2 (row-parallel, pending sum) * 0.5 + itself.
void mlp_typed(benchmark::State& state) {
  auto const n = static_cast<std::size_t>(state.range(0));
  Act const x{make(n, n, 0.1f)};
  W1 const w1{make(n, n, 0.2f)};
  W2 const w2{make(n, n, 0.3f)};
  for (auto _ : state) {
    auto y = matmul(gelu(matmul(x, w1)), w2, out_partial<"tp">);
    auto z = y * 0.5f + y;
    benchmark::DoNotOptimize(z.local().data());
  }
}
void mlp_checked(benchmark::State& state) {
  auto const n = static_cast<std::size_t>(state.range(0));
  checked::tensor const x{make(n, n, 0.1f), act_layout}, w1{make(n, n, 0.2f), w1_layout},
      w2{make(n, n, 0.3f), w2_layout};
  for (auto _ : state) {
    auto y = checked::matmul(checked::gelu(checked::matmul(x, w1)), w2, tp_bit);
    auto z = y * 0.5f + y;
    benchmark::DoNotOptimize(z.local.data());
  }
}
void mlp_untyped(benchmark::State& state) {
  auto const n = static_cast<std::size_t>(state.range(0));
  Mat const x = make(n, n, 0.1f), w1 = make(n, n, 0.2f), w2 = make(n, n, 0.3f);
  for (auto _ : state) {
    auto y = local::matmul(local::gelu(local::matmul(x, w1)), w2);
    auto z = local::add(local::mul(y, 0.5f), y);
    benchmark::DoNotOptimize(z.data());
  }
}

// Many small elementwise ops: where a per-op overhead would show.
void elementwise_typed(benchmark::State& state) {
  auto const n = static_cast<std::size_t>(state.range(0));
  Act const a{make(n, 8, 0.1f)}, b{make(n, 8, 0.2f)};
  for (auto _ : state) {
    auto c = relu(a * b + a - b / 2.0f);
    benchmark::DoNotOptimize(c.local().data());
  }
}
void elementwise_checked(benchmark::State& state) {
  auto const n = static_cast<std::size_t>(state.range(0));
  checked::tensor const a{make(n, 8, 0.1f), act_layout}, b{make(n, 8, 0.2f), act_layout};
  for (auto _ : state) {
    auto c = checked::relu(a * b + a - b / 2.0f);
    benchmark::DoNotOptimize(c.local.data());
  }
}
void elementwise_untyped(benchmark::State& state) {
  auto const n = static_cast<std::size_t>(state.range(0));
  Mat const a = make(n, 8, 0.1f), b = make(n, 8, 0.2f);
  for (auto _ : state) {
    auto c = local::relu(local::sub(local::add(local::mul(a, b), a), local::div(b, 2.0f)));
    benchmark::DoNotOptimize(c.data());
  }
}

BENCHMARK(mlp_typed)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK(mlp_checked)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK(mlp_untyped)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK(mlp_typed)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(mlp_checked)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(mlp_untyped)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(elementwise_typed)->Arg(4)->Arg(64)->Arg(1024);
BENCHMARK(elementwise_checked)->Arg(4)->Arg(64)->Arg(1024);
BENCHMARK(elementwise_untyped)->Arg(4)->Arg(64)->Arg(1024);

}  // namespace

int main(int argc, char** argv) {
  // The checked layer really checks: a forgotten out_partial is caught when the op runs.
  try {
    checked::tensor const h{make(2, 2, 0.f), checked::layout{2, {checked::V, checked::S(1)}}},
        w{make(2, 2, 0.f), w2_layout};
    static_cast<void>(checked::matmul(h, w));
    std::fprintf(stderr, "typed_overhead: the checked layer missed a forgotten out_partial\n");
    return 1;
  } catch (std::invalid_argument const&) {
  }
  return run_ratio_benchmarks(argc, argv, {"_typed", "_checked"}, "_untyped");
}
