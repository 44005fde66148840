// The cost of the typed tape: one forward + backward of an MLP through spmd::autograd, against
// the same forward + backward written by hand with the local kernels, in one run. Prints the
// autograd / hand-written time ratio per size (the tape adds one closure call per op).
// This file has its own main() instead of BENCHMARK_MAIN() (it prints the ratios at the end).
#include <benchmark/benchmark.h>

#include <spmd/autograd.hpp>
#include <spmd/spmd.hpp>

#include "ratio_reporter.hpp"

using namespace spmd;

namespace {

using Mesh = mesh<"dp">;
using Mat = local::dense<float, 2>;
using Act = tensor<Mat, Mesh, layout<I>>;
using W = tensor<Mat, Mesh, layout<I>>;

Mat make(std::size_t rows, std::size_t cols, float seed) {
  Mat m({rows, cols});
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = 0.001f * static_cast<float>((i * 7 + 3) % 97) + seed;
  return m;
}

// loss = sum(gelu(x @ w1) @ w2); gradients of w1 and w2.
void mlp_autograd(benchmark::State& state) {
  auto const n = static_cast<std::size_t>(state.range(0));
  autograd::parameter<W> w1{W{make(n, n, 0.2f)}}, w2{W{make(n, n, 0.3f)}};
  autograd::var<Act> const x{Act{make(n, n, 0.1f)}};
  for (auto _ : state) {
    autograd::tape t;
    auto loss = autograd::sum_all(autograd::matmul(autograd::gelu(autograd::matmul(x, w1.on(t))), w2.on(t)));
    autograd::backward(loss);
    benchmark::DoNotOptimize(w1.grad().local().data());
    w1.zero_grad();
    w2.zero_grad();
  }
}
void mlp_by_hand(benchmark::State& state) {
  auto const n = static_cast<std::size_t>(state.range(0));
  Mat const w1 = make(n, n, 0.2f), w2 = make(n, n, 0.3f), x = make(n, n, 0.1f);
  for (auto _ : state) {
    Mat const a = local::matmul(x, w1);
    Mat const h = local::gelu(a);
    Mat const y = local::matmul(h, w2);
    auto const loss = local::sum(local::sum(y, 1), 0);
    benchmark::DoNotOptimize(loss.data());
    Mat const g({n, n}, 1.0f);  // d loss / d y
    Mat const gw2 = local::matmul(local::transpose(h, 0, 1), g);
    Mat const gh = local::matmul(g, local::transpose(w2, 0, 1));
    Mat const gw1 = local::matmul(local::transpose(x, 0, 1), local::gelu_backward(a, gh));
    benchmark::DoNotOptimize(gw1.data());
    benchmark::DoNotOptimize(gw2.data());
  }
}

BENCHMARK(mlp_autograd)->Arg(8)->Arg(64)->Arg(256);
BENCHMARK(mlp_by_hand)->Arg(8)->Arg(64)->Arg(256);

}  // namespace

int main(int argc, char** argv) { return run_ratio_benchmarks(argc, argv, {"_autograd"}, "_by_hand"); }
