// The cost of the typed tape: one forward + backward of an MLP through spmd::autograd, against
// the same forward + backward written by hand with the local kernels, in one run (the cases are in
// cases.hpp). Prints the autograd / hand-written time ratio per size.
// This file has its own main() instead of BENCHMARK_MAIN() (it prints the ratios at the end).
#include <benchmark/benchmark.h>

#include "cases.hpp"
#include "ratio_reporter.hpp"

int main(int argc, char** argv) {
  register_case("mlp_autograd", bench::mlp_autograd, {8, 64, 256});
  register_case("mlp_by_hand", bench::mlp_by_hand, {8, 64, 256});
  return run_ratio_benchmarks(argc, argv, {"_autograd"}, "_by_hand");
}
