// Bandwidth of the threads runtime's collectives against single-thread memcpy.
//
// For all_reduce_sum, all_gather and reduce_scatter_sum (out of place, as the typed collectives
// call them) and all_gather in place (each rank's block is its own block of the output: it copies
// only the other ranks' blocks) on 2 and 4 ranks, 4 KiB .. 64 MiB, this
// reports the bus bandwidth (NCCL convention) as the counter `busbw`, and `vs_memcpy`, its ratio to
// the bandwidth of a single-thread memcpy of the same size measured earlier in the same run:
//   all_reduce:                      busbw = 2(n-1)/n * bytes / t
//   all_gather, reduce_scatter:      busbw =  (n-1)/n * bytes / t   (bytes = the full buffer)
//   memcpy:                          busbw =            bytes / t
// Each benchmark starts the mesh once; every rank then runs the collective once per iteration
// (the iteration count is known up front: State::max_iterations), and rank 0 owns the timer, which
// starts after a barrier. A collective returns on a rank only once every rank is done with it.
// A table of the ratios is printed at the end, then one line per (op, ranks, size) for scripts:
//   ratio <op> <ranks> <bytes> <vs_memcpy>
//
// Sizes: all of 4 KiB .. 64 MiB by default; `--sizes=1M,16M,64M` (or the environment variable
// SPMD_BENCH_SIZES=1M,16M,64M; suffixes K and M, or plain bytes) runs only those, e.g. for a quick
// script run (those three take well under a minute):
//   bench_collectives_bandwidth --sizes=1M,16M,64M | grep '^ratio'
//
// This file has its own main() instead of BENCHMARK_MAIN() (the build links benchmark::benchmark,
// not benchmark_main, to files that mention BENCHMARK_MAIN).
#include <benchmark/benchmark.h>

#include <spmd/runtime/threads.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace {

enum class op { all_reduce, all_gather, reduce_scatter, all_gather_in_place };

char const* op_label(op o) {
  switch (o) {
    case op::all_reduce:
      return "all_reduce";
    case op::all_gather:
      return "all_gather";
    case op::reduce_scatter:
      return "reduce_scatter";
    case op::all_gather_in_place:
      return "all_gather_in_place";
  }
  return "";
}

// Bus bandwidth (bytes/s) of the last run of each benchmark, for the final table.
std::map<std::int64_t, double> memcpy_bw;                              // bytes -> B/s
std::map<std::tuple<op, std::int64_t, std::int64_t>, double> coll_bw;  // (op, ranks, bytes) -> B/s

std::vector<std::int64_t> sizes = {4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20};

// "1M,16M,64M" -> bytes; K and M suffixes (powers of 2) or plain bytes.
std::vector<std::int64_t> parse_sizes(std::string const& text) {
  std::vector<std::int64_t> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t const end = std::min(text.find(',', pos), text.size());
    std::string item = text.substr(pos, end - pos);
    if (!item.empty()) {
      std::int64_t scale = 1;
      if (item.back() == 'K' || item.back() == 'k') scale = 1 << 10;
      if (item.back() == 'M' || item.back() == 'm') scale = 1 << 20;
      if (scale != 1) item.pop_back();
      std::size_t used = 0;
      long long const v = std::stoll(item, &used);
      if (used != item.size() || v <= 0) throw std::invalid_argument("bad size '" + item + "'");
      out.push_back(v * scale);
    }
    pos = end + 1;
  }
  return out;
}

void BM_memcpy(benchmark::State& state) {
  auto const bytes = static_cast<std::size_t>(state.range(0));
  std::vector<char> src(bytes, 1), dst(bytes, 0);
  auto const t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), bytes);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  double const secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  memcpy_bw[state.range(0)] = double(bytes) * double(state.iterations()) / secs;
  state.counters["busbw"] = benchmark::Counter(double(bytes), benchmark::Counter::kIsIterationInvariantRate);
}

template <op Op>
void BM_collective(benchmark::State& state) {
  auto const ranks = static_cast<std::size_t>(state.range(0));
  auto const bytes = static_cast<std::size_t>(state.range(1));
  std::size_t const total = bytes / sizeof(float);  // elements of the full buffer
  std::size_t const block = total / ranks;
  std::vector<std::size_t> const counts(ranks, block);
  double const factor =
      Op == op::all_reduce ? 2.0 * double(ranks - 1) / double(ranks) : double(ranks - 1) / double(ranks);
  auto const iterations = state.max_iterations;
  double seconds = 0;

  spmd::threads::run({{"x", ranks}}, [&](spmd::threads::rank& r) {
    auto& c = r.comm("x");
    // Each rank allocates (and first touches) its own buffers.
    std::vector<float> full(block * ranks, 1.0f), part(block, 1.0f);
    auto const once = [&] {
      if constexpr (Op == op::all_reduce)
        c.all_reduce_sum(full);
      else if constexpr (Op == op::all_gather)
        c.all_gather(part, full, counts);
      else if constexpr (Op == op::all_gather_in_place)  // the block is this rank's block of `full`
        c.all_gather(std::span<float const>(full.data() + r.index() * block, block), full, counts);
      else
        c.reduce_scatter_sum(full, part, counts);
    };
    once();  // warm up: page faults, caches
    c.barrier();
    if (r.index() == 0) {
      auto const t0 = std::chrono::steady_clock::now();
      for (auto _ : state) once();
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } else {
      for (benchmark::IterationCount i = 0; i < iterations; ++i) once();
    }
  });

  double const busbw = factor * double(bytes) * double(iterations) / seconds;
  coll_bw[{Op, state.range(0), state.range(1)}] = busbw;
  state.counters["busbw"] = benchmark::Counter(factor * double(bytes), benchmark::Counter::kIsIterationInvariantRate);
  if (auto const m = memcpy_bw.find(state.range(1)); m != memcpy_bw.end())
    state.counters["vs_memcpy"] = busbw / m->second;
}

void size_args(benchmark::internal::Benchmark* b) {
  b->ArgName("bytes");
  for (auto s : sizes) b->Arg(s);
}

void rank_size_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"ranks", "bytes"});
  b->ArgsProduct({{2, 4}, sizes});
}

// memcpy first: the collectives compare themselves with it. Registered at run time, once the
// sizes are known.
void register_benchmarks() {
  benchmark::RegisterBenchmark("BM_memcpy", BM_memcpy)->Apply(size_args)->UseRealTime()->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("all_reduce", BM_collective<op::all_reduce>)
      ->Apply(rank_size_args)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("all_gather", BM_collective<op::all_gather>)
      ->Apply(rank_size_args)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("reduce_scatter", BM_collective<op::reduce_scatter>)
      ->Apply(rank_size_args)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("all_gather_in_place", BM_collective<op::all_gather_in_place>)
      ->Apply(rank_size_args)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
}

std::string size_label(std::int64_t b) {
  return b >= (1 << 20) ? std::to_string(b >> 20) + " MiB" : std::to_string(b >> 10) + " KiB";
}

void print_ratio_table() {
  if (coll_bw.empty()) return;
  std::printf("\nBus bandwidth / single-thread memcpy bandwidth (same run)\n");
  std::printf("%-10s %12s", "size", "memcpy GB/s");
  for (op o : {op::all_reduce, op::all_gather, op::reduce_scatter, op::all_gather_in_place})
    for (int n : {2, 4}) std::printf(" %15s", (std::string(op_label(o)) + "/" + std::to_string(n)).c_str());
  std::printf("\n");
  for (auto s : sizes) {
    auto const m = memcpy_bw.find(s);
    std::printf("%-10s %12s", size_label(s).c_str(),
                m == memcpy_bw.end() ? "-" : std::to_string(m->second / 1e9).substr(0, 6).c_str());
    for (op o : {op::all_reduce, op::all_gather, op::reduce_scatter, op::all_gather_in_place})
      for (int n : {2, 4}) {
        auto const c = coll_bw.find({o, n, s});
        if (c == coll_bw.end() || m == memcpy_bw.end())
          std::printf(" %15s", "-");
        else
          std::printf(" %15.2f", c->second / m->second);
      }
    std::printf("\n");
  }
  std::printf("\n");
  for (auto const& [key, bw] : coll_bw) {
    auto const& [o, n, s] = key;
    if (auto const m = memcpy_bw.find(s); m != memcpy_bw.end())
      std::printf("ratio %s %lld %lld %.4f\n", op_label(o), static_cast<long long>(n), static_cast<long long>(s),
                  bw / m->second);
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (char const* e = std::getenv("SPMD_BENCH_SIZES")) sizes = parse_sizes(e);
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
      if (std::strncmp(argv[i], "--sizes=", 8) == 0)
        sizes = parse_sizes(argv[i] + 8);
      else
        argv[kept++] = argv[i];
    }
    argc = kept;
  } catch (std::exception const& e) {
    std::fprintf(stderr, "bench_collectives_bandwidth: --sizes / SPMD_BENCH_SIZES: %s\n", e.what());
    return 1;
  }
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  print_ratio_table();
  benchmark::Shutdown();
  return 0;
}
