// callgrind_elementwise_chain: K runs of the typed elementwise chain relu(a * b + a - b / 2) on
// [n, 8] tensors, or of the same chain on the bare local tensor (benchmarks/typed_overhead.cpp),
// without Google Benchmark, for exact instruction counts under valgrind --tool=callgrind.
//
//   callgrind_elementwise_chain typed|untyped <n> <iterations>
//
// The setup (two small matrices) is small next to the loop; to remove it exactly, run two
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

Mat make(std::size_t rows, std::size_t cols, float seed) {
  Mat m({rows, cols});
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = 0.001f * static_cast<float>((i * 7 + 3) % 97) + seed;
  return m;
}

// Results are folded into this sink so that the optimiser keeps every pass.
float volatile sink = 0.0f;

void chain_typed(std::size_t n, long iterations) {
  Act const a{make(n, 8, 0.1f)}, b{make(n, 8, 0.2f)};
  for (long it = 0; it < iterations; ++it) {
    auto c = relu(a * b + a - b / 2.0f);
    sink = sink + c.local().data()[0];
  }
}
void chain_untyped(std::size_t n, long iterations) {
  Mat const a = make(n, 8, 0.1f), b = make(n, 8, 0.2f);
  for (long it = 0; it < iterations; ++it) {
    auto c = local::relu(local::sub(local::add(local::mul(a, b), a), local::div(b, 2.0f)));
    sink = sink + c.data()[0];
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
    chain_typed(n, iterations);
  else
    chain_untyped(n, iterations);
  std::printf("%s n=%zu iterations=%ld sink=%g\n", argv[1], n, iterations, static_cast<double>(sink));
  return 0;
}
