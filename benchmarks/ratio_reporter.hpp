// benchmarks/ratio_reporter.hpp - a Google Benchmark reporter that prints, after the runs, the
// time ratio of each benchmark named "<case>_<a>" to its partner "<case>_<b>" of the same run.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

class ratio_reporter : public benchmark::ConsoleReporter {
 public:
  /// Ratios of the benchmarks whose name contains `numerator` to those named with `denominator`
  /// in its place, e.g. ("_typed", "_untyped").
  ratio_reporter(std::string numerator, std::string denominator)
      : numerator_(std::move(numerator)), denominator_(std::move(denominator)) {}

  void ReportRuns(std::vector<Run> const& runs) override {
    for (auto const& run : runs) times_[run.benchmark_name()] = run.GetAdjustedRealTime();
    ConsoleReporter::ReportRuns(runs);
  }

  void print_ratios() const {
    std::printf("\n%s / %s time (same run):\n", numerator_.c_str() + 1, denominator_.c_str() + 1);
    for (auto const& [name, t] : times_) {
      auto const pos = name.find(numerator_);
      if (pos == std::string::npos) continue;
      std::string other = name;
      other.replace(pos, numerator_.size(), denominator_);
      if (auto it = times_.find(other); it != times_.end()) std::printf("  %-28s %.3f\n", name.c_str(), t / it->second);
    }
  }

 private:
  std::string numerator_, denominator_;
  std::map<std::string, double> times_;
};

/// main() of a ratio benchmark: run everything, then print the ratios.
inline int run_ratio_benchmarks(int argc, char** argv, char const* numerator, char const* denominator) {
  benchmark::Initialize(&argc, argv);
  ratio_reporter reporter(numerator, denominator);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
