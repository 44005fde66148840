// Zero run-time cost: the same computation on spmd::tensor, on the bare local tensor, and on the
// run-time-checked sharding layer of checked_layer.hpp (what one would use instead of types:
// layouts as values, checked on every op), timed in one run (the cases are in cases.hpp). Prints
// the typed / untyped and checked / untyped time ratios per case (typed expected ~1.00: the types
// only exist in the compiler). Run with --benchmark_repetitions=K
// --benchmark_enable_random_interleaving=true (as scripts/bench.sh does) to compare medians of
// interleaved repetitions.
// This file has its own main() instead of BENCHMARK_MAIN() (it prints the ratios at the end).
#include <benchmark/benchmark.h>

#include "cases.hpp"
#include "ratio_reporter.hpp"

#include <cstdio>
#include <stdexcept>

int main(int argc, char** argv) {
  namespace checked = bench::checked;
  // The checked layer really checks: a forgotten out_partial is caught when the op runs.
  try {
    checked::tensor const h{bench::make(2, 2, 0.f), checked::layout{2, {checked::V, checked::S(1)}}},
        w{bench::make(2, 2, 0.f), bench::tp::w2_layout};
    static_cast<void>(checked::matmul(h, w));
    std::fprintf(stderr, "typed_overhead: the checked layer missed a forgotten out_partial\n");
    return 1;
  } catch (std::invalid_argument const&) {
  }

  // A tensor-parallel MLP block, and a chain of small elementwise ops (where a per-op cost shows).
  register_case("mlp_typed", bench::mlp_typed, {16, 64, 256});
  register_case("mlp_checked", bench::mlp_checked, {16, 64, 256});
  register_case("mlp_untyped", bench::mlp_untyped, {16, 64, 256});
  register_case("mlp_typed", bench::mlp_typed, {1024}, benchmark::kMillisecond);
  register_case("mlp_checked", bench::mlp_checked, {1024}, benchmark::kMillisecond);
  register_case("mlp_untyped", bench::mlp_untyped, {1024}, benchmark::kMillisecond);
  register_case("elementwise_typed", bench::elementwise_typed, {4, 64, 1024});
  register_case("elementwise_checked", bench::elementwise_checked, {4, 64, 1024});
  register_case("elementwise_untyped", bench::elementwise_untyped, {4, 64, 1024});
  return run_ratio_benchmarks(argc, argv, {"_typed", "_checked"}, "_untyped");
}
