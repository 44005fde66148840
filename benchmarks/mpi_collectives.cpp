// Cost of the typed layer and of the MPI runtime over the raw MPI call, on the same buffers and
// the same MPI communicator, in one run:
//   raw      MPI_Allreduce(MPI_IN_PLACE) / MPI_Allgather / MPI_Reduce_scatter_block on
//            r.comm("x").native()
//   runtime  spmd::mpi::communicator: all_reduce_sum / all_gather / reduce_scatter_sum
//   into     the typed call on the same buffers: spmd::all_reduce<"x", R> (P -> R, the tensor moved
//            through, in place) / spmd::all_gather_into<"x"> (S<0> -> R) /
//            spmd::reduce_scatter_into<"x"> (P -> S<0>) into a tensor of the result's type,
//            on tensor<dense<float, 1>, mesh<"x">, ...>
//   typed    spmd::all_gather<"x", R> / spmd::reduce_scatter<"x", 0>, which return a new tensor
//            (allocated and zero-filled per call)
//   +alloc   the raw call writing into a std::vector<float> allocated per call: what any API that
//            returns a new buffer costs
// for buffers of 1 KiB .. 16 MiB (the full buffer: all_reduce's, all_gather's output,
// reduce_scatter's input; float elements).
//
// Columns: rt/raw = runtime/raw, into/raw = into/raw (the typed layer's cost: target <= 1.05),
// typ/raw = typed/raw, +al/raw = (raw+alloc)/raw, typ/+al = typed/(raw+alloc): the returning
// call's cost beyond allocating its result.
//
// Method: per (op, size), `rounds` rounds; in a round each variant takes one sample, in an order
// shuffled from round to round (the same on every rank; a fixed rotation would always put the
// same variant after the same one, and what one variant leaves in the caches and the allocator
// would bias its successor); a sample is m back-to-back calls between two barriers, its
// time the maximum over the ranks; m is chosen once so that a sample takes >= 5 ms (at least
// 1 call). Reported: the median time per call of each variant, and the median over the rounds of
// each round's ratio to raw (samples of one round are adjacent in time, so load from other
// processes hits them alike). Target: into/raw <= 1.05.
//
//   mpirun -np 2 build/benchmarks/bench_mpi_collectives [rounds=101]
//   scripts/mpirun.sh -np 4 build/benchmarks/bench_mpi_collectives
//
// At 1-4 KiB a call takes ~1-2 us and the ratios move by a few % from run to run (the raw and
// the runtime variant make the same MPI call and still differ by up to ~2%). So the program also
// times the typed layer alone: the typed into calls on a communicator that does nothing, against
// calling that communicator directly (ns per call, no MPI involved).
//
// Plain main(), no Google Benchmark; built only when MPI is found.
#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/mpi.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using Vec = spmd::local::dense<float, 1>;
using Mesh = spmd::mesh<"x">;
template <class Pl>
using T = spmd::tensor<Vec, Mesh, spmd::layout<Pl>>;

enum class op { all_reduce, all_gather, reduce_scatter };
char const* op_label(op o) {
  switch (o) {
    case op::all_reduce:
      return "all_reduce";
    case op::all_gather:
      return "all_gather";
    case op::reduce_scatter:
      return "reduce_scatter";
  }
  return "";
}

std::string size_label(std::size_t b) {
  return b >= (std::size_t{1} << 20) ? std::to_string(b >> 20) + " MiB" : std::to_string(b >> 10) + " KiB";
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t const n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void check(int rc) {
  if (rc != MPI_SUCCESS) throw std::runtime_error("raw MPI call failed: " + spmd::mpi::detail::error_string(rc));
}

struct result {
  op o;
  std::size_t bytes;
  double time[5];  // raw, runtime, into, typed, raw+alloc: seconds per call (median over the rounds)
  // Medians over the rounds of the round's ratios.
  double runtime_raw, into_raw, typed_raw, alloc_raw, typed_alloc;
};

// The variants of one (op, size) on this rank's buffers; run(v, m) makes m calls. All variants
// use the same input buffer (the typed tensor's storage); raw, runtime and into write into one
// output buffer (the output tensor's storage), typed and raw+alloc into a new one per call.
// all_reduce has only the first three (it is in place).
struct variants {
  static constexpr int count = 5;  // raw, runtime, into, typed, raw+alloc
  spmd::mpi::rank& r;
  op o;
  std::size_t total;  // elements of the full buffer
  std::size_t block;  // total / ranks
  std::vector<std::size_t> counts;
  T<spmd::P> xp;            // all_reduce: the buffer (moved through the typed call); reduce_scatter: the input
  T<spmd::S<0>> shard;      // all_gather: the input
  T<spmd::R> gathered;      // all_gather: the output of raw, runtime and into
  T<spmd::S<0>> scattered;  // reduce_scatter: the output of raw, runtime and into

  variants(spmd::mpi::rank& rk, op which, std::size_t elems)
      : r(rk),
        o(which),
        total(elems),
        block(elems / rk.world_size()),
        counts(rk.world_size(), block),
        xp(Vec({total}, 0.0f)),
        shard(Vec({block}, 0.0f)),
        gathered(Vec({total}, 0.0f)),
        scattered(Vec({block}, 0.0f)) {}

  [[nodiscard]] int variant_count() const { return o == op::all_reduce ? 3 : count; }

  void run(int v, long m) {
    auto& c = r.comm("x");
    MPI_Comm const comm = c.native();
    int const n = static_cast<int>(block);
    for (long i = 0; i < m; ++i) {
      switch (o) {
        case op::all_reduce: {
          std::span<float> const buf(xp.local().data(), total);
          if (v == 0)
            check(MPI_Allreduce(MPI_IN_PLACE, buf.data(), static_cast<int>(total), MPI_FLOAT, MPI_SUM, comm));
          else if (v == 1)
            c.all_reduce_sum(buf);
          else
            xp = T<spmd::P>{spmd::all_reduce<"x", spmd::R>(r, std::move(xp)).local()};  // moves, no copy
          break;
        }
        case op::all_gather: {
          float const* in = shard.local().data();
          float* out = gathered.local().data();
          if (v == 0) {
            check(MPI_Allgather(in, n, MPI_FLOAT, out, n, MPI_FLOAT, comm));
          } else if (v == 1) {
            c.all_gather(std::span<float const>(in, block), std::span<float>(out, total), counts);
          } else if (v == 2) {
            spmd::all_gather_into<"x">(r, shard, gathered);
          } else if (v == 3) {
            auto y = spmd::all_gather<"x", spmd::R>(r, shard);
            if (y.local().data()[0] != 0.0f) std::abort();  // keep the result alive
          } else {
            std::vector<float> fresh(total);
            check(MPI_Allgather(in, n, MPI_FLOAT, fresh.data(), n, MPI_FLOAT, comm));
            if (fresh[0] != 0.0f) std::abort();
          }
          break;
        }
        case op::reduce_scatter: {
          float const* in = xp.local().data();
          float* out = scattered.local().data();
          if (v == 0) {
            check(MPI_Reduce_scatter_block(in, out, n, MPI_FLOAT, MPI_SUM, comm));
          } else if (v == 1) {
            c.reduce_scatter_sum(std::span<float const>(in, total), std::span<float>(out, block), counts);
          } else if (v == 2) {
            spmd::reduce_scatter_into<"x">(r, xp, scattered);
          } else if (v == 3) {
            auto y = spmd::reduce_scatter<"x", 0>(r, xp);
            if (y.local().data()[0] != 0.0f) std::abort();
          } else {
            std::vector<float> fresh(block);
            check(MPI_Reduce_scatter_block(in, fresh.data(), n, MPI_FLOAT, MPI_SUM, comm));
            if (fresh[0] != 0.0f) std::abort();
          }
          break;
        }
      }
    }
  }

  /// Seconds for m calls of variant v: between two barriers, the maximum over the ranks.
  double sample(int v, long m) {
    MPI_Comm const world = r.comm("x").native();
    check(MPI_Barrier(world));
    auto const t0 = std::chrono::steady_clock::now();
    run(v, m);
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    check(MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, world));
    return t;
  }
};

result measure(spmd::mpi::rank& r, op o, std::size_t bytes, int rounds) {
  variants v(r, o, bytes / sizeof(float));
  int const nv = v.variant_count();
  for (int k = 0; k < nv; ++k) v.run(k, 3);  // warm up: page faults, MPI's connections and buffers
  // Calls per sample: >= 5 ms per sample (the same on every rank: sample() takes the max).
  long m = 1;
  for (;;) {
    double const t = v.sample(0, m);
    if (t >= 5e-3 || m >= (1L << 20)) break;
    m = std::max(m * 2, static_cast<long>(static_cast<double>(m) * 6e-3 / std::max(t, 1e-9)));
  }
  std::vector<double> t[variants::count], runtime_raw, into_raw, typed_raw, alloc_raw, typed_alloc;
  std::mt19937 shuffle_gen(12345);  // the same sequence on every rank
  std::vector<int> order(static_cast<std::size_t>(nv));
  std::iota(order.begin(), order.end(), 0);
  for (int s = 0; s < rounds; ++s) {
    double round[variants::count] = {};
    std::shuffle(order.begin(), order.end(), shuffle_gen);
    for (int variant : order) round[variant] = v.sample(variant, m) / static_cast<double>(m);
    for (int k = 0; k < nv; ++k) t[k].push_back(round[k]);
    runtime_raw.push_back(round[1] / round[0]);
    into_raw.push_back(round[2] / round[0]);
    if (nv == variants::count) {
      typed_raw.push_back(round[3] / round[0]);
      alloc_raw.push_back(round[4] / round[0]);
      typed_alloc.push_back(round[3] / round[4]);
    }
  }
  result out{o, bytes, {}, median(runtime_raw), median(into_raw), 0, 0, 0};
  if (nv == variants::count) {
    out.typed_raw = median(typed_raw);
    out.alloc_raw = median(alloc_raw);
    out.typed_alloc = median(typed_alloc);
  }
  for (int k = 0; k < nv; ++k) out.time[k] = median(t[k]);
  return out;
}

// A communicator and rank whose collectives do nothing: what remains of a typed call is the
// typed layer's own work (checks, split lengths, counts).
struct noop_comm {
  [[nodiscard]] std::size_t size() const { return 2; }
  [[nodiscard]] std::size_t rank() const { return 0; }
  template <class T>
  void all_reduce_sum(std::span<T> d) {
    escape(d.data());
  }
  template <class T>
  void reduce_scatter_sum(std::span<T const> in, std::span<T> out, std::span<std::size_t const> counts) {
    escape(in.data(), out.data(), counts.data());
  }
  template <class T>
  void all_gather(std::span<T const> in, std::span<T> out, std::span<std::size_t const> counts) {
    escape(in.data(), out.data(), counts.data());
  }
  template <class T>
  void all_to_all(std::span<T const>, std::span<std::size_t const>, std::span<T>, std::span<std::size_t const>) {}
  template <class T>
  void broadcast(std::span<T>, std::size_t) {}
  void barrier() {}
  template <class... Ps>
  static void escape(Ps const*... ps) {
    for (void const* p : {static_cast<void const*>(ps)...})
      asm volatile("" : : "r"(p) : "memory");  // the compiler must assume the buffers are used
  }
};
struct noop_rank {
  noop_comm c;
  noop_comm& comm(std::string_view) { return c; }
  noop_comm& comm(std::span<std::string_view const>) { return c; }
  [[nodiscard]] std::size_t index() const { return 0; }
  [[nodiscard]] std::size_t coord(std::string_view) const { return 0; }
  [[nodiscard]] std::size_t axis_size(std::string_view) const { return 2; }
};

/// Nanoseconds per call of the typed all_gather_into / reduce_scatter_into on noop_rank, and of
/// the same communicator calls made directly: {typed all_gather, direct, typed reduce_scatter,
/// direct}. The best of 5 repetitions of 10^7 calls.
std::array<double, 4> typed_layer_ns() {
  noop_rank r;
  T<spmd::S<0>> shard(Vec({128}, 0.0f));
  T<spmd::R> whole(Vec({256}, 0.0f));
  T<spmd::P> partial(Vec({256}, 0.0f));
  T<spmd::S<0>> mine(Vec({128}, 0.0f));
  std::vector<std::size_t> const counts{128, 128};
  long const n = 10'000'000;
  auto time = [&](auto&& call) {
    double best = 1e300;
    for (int rep = 0; rep < 5; ++rep) {
      auto const t0 = std::chrono::steady_clock::now();
      for (long i = 0; i < n; ++i) call();
      best = std::min(best, std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
                                static_cast<double>(n));
    }
    return best;
  };
  return {time([&] { spmd::all_gather_into<"x">(r, shard, whole); }), time([&] {
            r.comm("x").all_gather(std::span<float const>(shard.local().data(), 128),
                                   std::span<float>(whole.local().data(), 256), std::span<std::size_t const>(counts));
          }),
          time([&] { spmd::reduce_scatter_into<"x">(r, partial, mine); }), time([&] {
            r.comm("x").reduce_scatter_sum(std::span<float const>(partial.local().data(), 256),
                                           std::span<float>(mine.local().data(), 128),
                                           std::span<std::size_t const>(counts));
          })};
}

}  // namespace

int main(int argc, char** argv) {
  spmd::mpi::environment env(argc, argv);
  int const rounds = argc > 1 ? std::max(3, std::atoi(argv[1])) : 101;
  std::size_t const ranks = env.world_size();
  std::vector<std::size_t> sizes;
  for (std::size_t b = 1 << 10; b <= (std::size_t{16} << 20); b *= 4) sizes.push_back(b);
  if ((1024 / sizeof(float)) % ranks != 0) {
    if (env.world_rank() == 0) std::fprintf(stderr, "bench_mpi_collectives: the rank count must divide 256\n");
    return 1;
  }

  std::vector<result> results;
  spmd::mpi::run({{"x", ranks}}, [&](spmd::mpi::rank& r) {
    for (op o : {op::all_reduce, op::all_gather, op::reduce_scatter})
      for (std::size_t b : sizes) results.push_back(measure(r, o, b, rounds));
  });

  if (env.world_rank() == 0) {
    auto const ns = typed_layer_ns();
    std::printf(
        "typed layer alone (no-op communicator, ns per call): all_gather_into %.2f (direct %.2f), "
        "reduce_scatter_into %.2f (direct %.2f)\n",
        ns[0], ns[1], ns[2], ns[3]);
    std::printf(
        "spmd MPI collectives: %zu ranks, float, %d rounds per point; times per call (median); ratios: median "
        "of the per-round ratios\n",
        ranks, rounds);
    std::printf("%-15s %8s %10s %10s %10s %10s %10s %8s %8s %8s %8s %8s\n", "op", "size", "raw us", "runtime us",
                "into us", "typed us", "+alloc us", "rt/raw", "into/raw", "typ/raw", "+al/raw", "typ/+al");
    for (auto const& x : results) {
      std::printf("%-15s %8s %10.2f %10.2f %10.2f", op_label(x.o), size_label(x.bytes).c_str(), x.time[0] * 1e6,
                  x.time[1] * 1e6, x.time[2] * 1e6);
      if (x.o == op::all_reduce)  // in place: nothing to allocate
        std::printf(" %10s %10s %8.3f %8.3f %8s %8s %8s\n", "-", "-", x.runtime_raw, x.into_raw, "-", "-", "-");
      else
        std::printf(" %10.2f %10.2f %8.3f %8.3f %8.3f %8.3f %8.3f\n", x.time[3] * 1e6, x.time[4] * 1e6, x.runtime_raw,
                    x.into_raw, x.typed_raw, x.alloc_raw, x.typed_alloc);
    }
  }
  return 0;
}
