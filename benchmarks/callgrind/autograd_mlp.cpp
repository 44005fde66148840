// callgrind_autograd_mlp: K forward + backward passes of an MLP through spmd::autograd, or the same
// computation written by hand with the local kernels (benchmarks/autograd_overhead.cpp), without
// Google Benchmark, for exact instruction counts under valgrind --tool=callgrind.
//
//   callgrind_autograd_mlp autograd|by_hand <n> <iterations>
//
// The setup (three n x n matrices) is small next to the loop; to remove it exactly, run two
// iteration counts and subtract their totals.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <spmd/autograd.hpp>
#include <spmd/spmd.hpp>

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

// Results are folded into this sink so that the optimiser keeps every pass.
float volatile sink = 0.0f;

// loss = sum(gelu(x @ w1) @ w2); gradients of w1 and w2.
void mlp_autograd(std::size_t n, long iterations) {
  autograd::parameter<W> w1{W{make(n, n, 0.2f)}}, w2{W{make(n, n, 0.3f)}};
  autograd::var<Act> const x{Act{make(n, n, 0.1f)}};
  for (long it = 0; it < iterations; ++it) {
    autograd::tape t;
    auto loss = autograd::sum_all(autograd::matmul(autograd::gelu(autograd::matmul(x, w1.on(t))), w2.on(t)));
    autograd::backward(loss);
    sink = sink + loss.value().local().data()[0] + w1.grad().local().data()[0] + w2.grad().local().data()[0];
    w1.zero_grad();
    w2.zero_grad();
  }
}

void mlp_by_hand(std::size_t n, long iterations) {
  Mat const w1 = make(n, n, 0.2f), w2 = make(n, n, 0.3f), x = make(n, n, 0.1f);
  for (long it = 0; it < iterations; ++it) {
    Mat const a = local::matmul(x, w1);
    Mat const h = local::gelu(a);
    Mat const y = local::matmul(h, w2);
    auto const loss = local::sum(local::sum(y, 1), 0);
    Mat const g({n, n}, 1.0f);  // d loss / d y
    Mat const gw2 = local::matmul(local::transpose(h, 0, 1), g);
    Mat const gh = local::matmul(g, local::transpose(w2, 0, 1));
    Mat const gw1 = local::matmul(local::transpose(x, 0, 1), local::gelu_backward(a, gh));
    sink = sink + loss.data()[0] + gw1.data()[0] + gw2.data()[0];
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || (std::strcmp(argv[1], "autograd") != 0 && std::strcmp(argv[1], "by_hand") != 0)) {
    std::fprintf(stderr, "usage: %s autograd|by_hand <n> <iterations>\n", argv[0]);
    return 2;
  }
  auto const n = static_cast<std::size_t>(std::strtoul(argv[2], nullptr, 10));
  long const iterations = std::strtol(argv[3], nullptr, 10);
  if (std::strcmp(argv[1], "autograd") == 0)
    mlp_autograd(n, iterations);
  else
    mlp_by_hand(n, iterations);
  std::printf("%s n=%zu iterations=%ld sink=%g\n", argv[1], n, iterations, static_cast<double>(sink));
  return 0;
}
