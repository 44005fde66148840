// benchmarks/ratio_reporter.hpp - a Google Benchmark reporter that prints, after the runs, the
// time ratio of each benchmark named "<case>_<a>" to its partner "<case>_<b>" of the same run
// (the medians with --benchmark_repetitions), also as lines "ratio <name> <value>" for scripts.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <vector>

class ratio_reporter : public benchmark::ConsoleReporter {
 public:
  /// Ratios of the benchmarks whose name contains one of `numerators` to those named with
  /// `denominator` in its place, e.g. ({"_typed", "_checked"}, "_untyped").
  ratio_reporter(std::vector<std::string> numerators, std::string denominator)
      : numerators_(std::move(numerators)), denominator_(std::move(denominator)) {}

  // With --benchmark_repetitions, the median of the repetitions; otherwise the one run.
  void ReportRuns(std::vector<Run> const& runs) override {
    for (auto const& run : runs) {
      std::string const name = run.run_name.str();
      if (run.run_type == Run::RT_Iteration && !medians_.contains(name)) times_[name] = run.GetAdjustedRealTime();
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        medians_.insert(name);
        times_[name] = run.GetAdjustedRealTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void print_ratios() const {
    for (auto const& numerator : numerators_) {
      std::printf("\n%s / %s time (same run):\n", numerator.c_str() + 1, denominator_.c_str() + 1);
      for (auto const& [name, t] : times_) {
        auto const pos = name.find(numerator);
        if (pos == std::string::npos) continue;
        std::string other = name;
        other.replace(pos, numerator.size(), denominator_);
        auto it = times_.find(other);
        if (it == times_.end()) continue;
        std::printf("  %-28s %.3f\n", name.c_str(), t / it->second);
        std::printf("ratio %s %.4f\n", name.c_str(), t / it->second);  // for scripts
      }
    }
  }

 private:
  std::vector<std::string> numerators_;
  std::string denominator_;
  std::map<std::string, double> times_;
  std::set<std::string> medians_;
};

/// Runs a case of cases.hpp under Google Benchmark: `body()` once per iteration of `state`.
struct state_loop {
  benchmark::State& state;
  template <class Body>
  void operator()(Body&& body) const {
    for (auto _ : state) {
      auto const v = body();
      benchmark::DoNotOptimize(v);
    }
  }
};

/// Registers benchmark `name` at each of `sizes`: `run_case(n, loop)` is a case of cases.hpp.
template <class Case>
void register_case(char const* name, Case run_case, std::initializer_list<std::int64_t> sizes,
                   benchmark::TimeUnit unit = benchmark::kNanosecond) {
  auto* b = benchmark::RegisterBenchmark(name, [run_case](benchmark::State& state) {
    run_case(static_cast<std::size_t>(state.range(0)), state_loop{state});
  });
  for (auto n : sizes) b->Arg(n);
  b->Unit(unit);
}

/// main() of a ratio benchmark: run everything, then print the ratios of each numerator's
/// benchmarks to the denominator's.
inline int run_ratio_benchmarks(int argc, char** argv, std::initializer_list<char const*> numerators,
                                char const* denominator) {
  benchmark::Initialize(&argc, argv);
  ratio_reporter reporter(std::vector<std::string>(numerators.begin(), numerators.end()), denominator);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
