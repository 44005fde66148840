// callgrind_cases: K runs of one case of benchmarks/cases.hpp (the cases that typed_overhead.cpp
// and autograd_overhead.cpp time), without Google Benchmark, for exact instruction counts under
// valgrind --tool=callgrind.
//
//   callgrind_cases <case> <n> <iterations>
//   cases: mlp_typed mlp_checked mlp_untyped elementwise_typed elementwise_checked
//          elementwise_untyped mlp_autograd mlp_by_hand
//
// The setup (a few n x n matrices) is small next to the loop; to remove it exactly, run two
// iteration counts and subtract their totals (scripts/bench.sh does).
#include "../cases.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

// Results are folded into this sink so that the optimiser keeps every pass.
float volatile sink = 0.0f;

struct counted_loop {
  long iterations;
  template <class Body>
  void operator()(Body&& body) const {
    for (long it = 0; it < iterations; ++it) sink = sink + body();
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <case> <n> <iterations>\n", argv[0]);
    return 2;
  }
  std::string_view const c = argv[1];
  auto const n = static_cast<std::size_t>(std::strtoul(argv[2], nullptr, 10));
  counted_loop const loop{std::strtol(argv[3], nullptr, 10)};
  if (c == "mlp_typed")
    bench::mlp_typed(n, loop);
  else if (c == "mlp_checked")
    bench::mlp_checked(n, loop);
  else if (c == "mlp_untyped")
    bench::mlp_untyped(n, loop);
  else if (c == "elementwise_typed")
    bench::elementwise_typed(n, loop);
  else if (c == "elementwise_checked")
    bench::elementwise_checked(n, loop);
  else if (c == "elementwise_untyped")
    bench::elementwise_untyped(n, loop);
  else if (c == "mlp_autograd")
    bench::mlp_autograd(n, loop);
  else if (c == "mlp_by_hand")
    bench::mlp_by_hand(n, loop);
  else {
    std::fprintf(stderr, "unknown case: %s\n", argv[1]);
    return 2;
  }
  std::printf("%s n=%zu iterations=%ld sink=%g\n", argv[1], n, loop.iterations, static_cast<double>(sink));
  return 0;
}
