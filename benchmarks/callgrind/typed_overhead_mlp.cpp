// callgrind_typed_overhead_mlp: K runs of the typed tensor-parallel MLP block of
// benchmarks/typed_overhead.cpp (gelu(x @ w1) @ w2 with out_partial, then y * 0.5 + y, all n x n), or
// of the same computation on the bare local tensor, without Google Benchmark, for exact
// instruction counts under valgrind --tool=callgrind.
//
//   callgrind_typed_overhead_mlp typed|untyped <n> <iterations>
//
// The setup (three n x n matrices) is small next to the loop; to remove it exactly, run two
// iteration counts and subtract their totals.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <spmd/dense.hpp>

using namespace spmd;

namespace {

using Mesh = mesh<"dp", "tp">;
using Mat = local::dense<float, 2>;
using Act = tensor<Mat, Mesh, layout<V, R>>;
using W1 = tensor<Mat, Mesh, layout<R, S<1>>>;
using W2 = tensor<Mat, Mesh, layout<R, S<0>>>;

Mat make(std::size_t rows, std::size_t cols, float seed) {
  Mat m({rows, cols});
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = 0.001f * static_cast<float>((i * 7 + 3) % 97) + seed;
  return m;
}

// Results are folded into this sink so that the optimiser keeps every pass.
float volatile sink = 0.0f;

// A tensor-parallel MLP block: gelu(x @ w1) @ w2 (row-parallel, pending sum) * 0.5 + itself.
void mlp_typed(std::size_t n, long iterations) {
  Act const x{make(n, n, 0.1f)};
  W1 const w1{make(n, n, 0.2f)};
  W2 const w2{make(n, n, 0.3f)};
  for (long it = 0; it < iterations; ++it) {
    auto y = matmul(gelu(matmul(x, w1)), w2, out_partial<"tp">);
    auto z = y * 0.5f + y;
    sink = sink + z.local().data()[0];
  }
}
void mlp_untyped(std::size_t n, long iterations) {
  Mat const x = make(n, n, 0.1f), w1 = make(n, n, 0.2f), w2 = make(n, n, 0.3f);
  for (long it = 0; it < iterations; ++it) {
    auto y = local::matmul(local::gelu(local::matmul(x, w1)), w2);
    auto z = local::add(local::mul(y, 0.5f), y);
    sink = sink + z.data()[0];
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || (std::strcmp(argv[1], "typed") != 0 && std::strcmp(argv[1], "untyped") != 0)) {
    std::fprintf(stderr, "usage: %s typed|untyped <n> <iterations>\n", argv[0]);
    return 2;
  }
  auto const n = static_cast<std::size_t>(std::strtoul(argv[2], nullptr, 10));
  long const iterations = std::strtol(argv[3], nullptr, 10);
  if (std::strcmp(argv[1], "typed") == 0)
    mlp_typed(n, iterations);
  else
    mlp_untyped(n, iterations);
  std::printf("%s n=%zu iterations=%ld sink=%g\n", argv[1], n, iterations, static_cast<double>(sink));
  return 0;
}
