// Cost of the typed layer and of the c10d runtime over the raw c10d call, on the same buffers and
// the same process group (c10d::ProcessGroupGloo, CPU), in one run:
//   raw      the c10d call on at::Tensor, on r.comm("x").native(): pg.allreduce (in place) /
//            pg.allgather (into views of the output tensor) / for reduce_scatter, which Gloo
//            does not have, what a user writes instead: pg.allreduce on the input, in place, and
//            a narrow() view of this rank's block
//   a2a      reduce_scatter only: the other way to write it by hand, pg.alltoall_base into a
//            buffer of size() blocks, then at::sum_out over them (what the runtime does)
//   runtime  spmd::dist::communicator on spans: all_reduce_sum / all_gather / reduce_scatter_sum
//   into     the typed call on the same buffers: spmd::all_reduce<"x", R> (P -> R, the tensor moved
//            through, in place) / spmd::all_gather_into<"x"> (S<0> -> R) /
//            spmd::reduce_scatter_into<"x"> (P -> S<0>) into a tensor of the result's type,
//            on tensor<torch_tensor<float, 1>, mesh<"x">, ...>
//   typed    spmd::all_gather<"x", R> / spmd::reduce_scatter<"x", 0>, which return a new tensor
//            (allocated and zero-filled per call)
//   +alloc   the raw call writing into an at::Tensor allocated per call (at::empty; for
//            reduce_scatter the narrowed block cloned): what any API that returns a new buffer costs
// for buffers of 4 KiB .. 16 MiB (the full buffer: all_reduce's, all_gather's output,
// reduce_scatter's input; float elements).
//
// Columns: rt/raw = runtime/raw, into/raw = into/raw (the typed layer's cost: target <= 1.05),
// typ/raw = typed/raw, +al/raw = (raw+alloc)/raw, typ/+al = typed/(raw+alloc): the returning
// call's cost beyond allocating its result, into/a2a = into/a2a (reduce_scatter only).
//
// Method (that of bench_mpi_collectives): per (op, size), `rounds` rounds; in a round each variant
// takes one sample, in an order shuffled from round to round (the same on every rank); a sample is
// m back-to-back calls between two barriers of the group, its time the maximum over the ranks; m
// is chosen once so that a sample takes >= 5 ms (at least 1 call). Reported: the median time per
// call of each variant, and the median over the rounds of each round's ratio to raw (samples of
// one round are adjacent in time, so load from other processes hits them alike).
//
//   scripts/torchrun.sh -n 2 build/bench-torch/benchmarks/bench_torch_collectives [rounds=31] [step=4]
//   scripts/torchrun.sh -n 4 build/bench-torch/benchmarks/bench_torch_collectives
// `step`: the factor between two buffer sizes (4: 4, 16, 64 KiB, ..., 16 MiB; 16: 4, 64 KiB, 1, 16 MiB).
//
// The program also times the typed layer alone: the typed into calls on torch_tensor over a
// communicator that does nothing, against calling that communicator directly (ns per call, no
// Gloo involved).
//
// Plain main(), no Google Benchmark; built when the target spmd::torch exists.
#include <ATen/Parallel.h>
#include <spmd/comm.hpp>
#include <spmd/runtime/c10d.hpp>
#include <spmd/torch.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using Vec = spmd::torch_tensor<float, 1>;
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

// The variants, by index.
enum variant : int { raw, runtime, into, typed, raw_alloc, a2a, variant_count };

struct result {
  op o;
  std::size_t bytes;
  double time[variant_count];  // seconds per call (median over the rounds)
  // Medians over the rounds of the round's ratios.
  double runtime_raw, into_raw, typed_raw, alloc_raw, typed_alloc, into_a2a;
};

// The variants of one (op, size) on this rank's buffers; run(v, m) makes m calls. All variants
// use the same input buffer (the typed tensor's storage); raw, runtime and into write into one
// output buffer (the output tensor's storage), typed and raw+alloc into a new one per call.
// all_reduce has only the first three (it is in place), a2a is reduce_scatter's only.
struct variants {
  spmd::dist::rank& r;
  op o;
  std::size_t ranks;
  std::size_t total;  // elements of the full buffer
  std::size_t block;  // total / ranks
  std::vector<std::size_t> counts;
  T<spmd::P> xp;                     // all_reduce: the buffer (moved through the typed call); reduce_scatter: the input
  T<spmd::S<0>> shard;               // all_gather: the input
  T<spmd::R> gathered;               // all_gather: the output of raw, runtime and into
  T<spmd::S<0>> scattered;           // reduce_scatter: the output of runtime, into and a2a
  at::Tensor received;               // a2a: the blocks this rank receives
  std::vector<std::int64_t> splits;  // a2a: block sizes, in and out

  variants(spmd::dist::rank& rk, op which, std::size_t elems)
      : r(rk),
        o(which),
        ranks(rk.world_size()),
        total(elems),
        block(elems / ranks),
        counts(ranks, block),
        xp(Vec({total}, 0.0f)),
        shard(Vec({block}, 0.0f)),
        gathered(Vec({total}, 0.0f)),
        scattered(Vec({block}, 0.0f)),
        received(at::zeros({static_cast<std::int64_t>(total)}, at::kFloat)),
        splits(ranks, static_cast<std::int64_t>(block)) {}

  [[nodiscard]] int count() const {
    return o == op::all_reduce ? 3 : o == op::all_gather ? 5 : static_cast<int>(variant_count);
  }

  static void wait(c10::intrusive_ptr<c10d::Work> const& w) { w->wait(); }

  // The raw allgather into `out` (a contiguous 1-d tensor of `total` floats): views of its blocks.
  void raw_all_gather(at::Tensor const& out) {
    auto& pg = r.comm("x").native();
    std::vector<std::vector<at::Tensor>> outs{out.chunk(static_cast<std::int64_t>(ranks))};
    std::vector<at::Tensor> ins{shard.local().aten()};
    wait(pg.allgather(outs, ins));
  }

  void run(int v, long m) {
    auto& c = r.comm("x");
    auto& pg = c.native();
    auto const me = static_cast<std::int64_t>(r.coord("x"));
    auto const nb = static_cast<std::int64_t>(block);
    for (long i = 0; i < m; ++i) {
      switch (o) {
        case op::all_reduce: {
          if (v == raw) {
            std::vector<at::Tensor> t{xp.local().aten()};
            wait(pg.allreduce(t));
          } else if (v == runtime) {
            c.all_reduce_sum(std::span<float>(xp.local().data(), total));
          } else {
            xp = T<spmd::P>{spmd::all_reduce<"x", spmd::R>(r, std::move(xp)).local()};  // moves, no copy
          }
          break;
        }
        case op::all_gather: {
          if (v == raw) {
            raw_all_gather(gathered.local().aten());
          } else if (v == runtime) {
            c.all_gather(std::span<float const>(shard.local().data(), block),
                         std::span<float>(gathered.local().data(), total), counts);
          } else if (v == into) {
            spmd::all_gather_into<"x">(r, shard, gathered);
          } else if (v == typed) {
            auto y = spmd::all_gather<"x", spmd::R>(r, shard);
            if (y.local().data()[0] != 0.0f) std::abort();  // keep the result alive
          } else {
            at::Tensor fresh = at::empty({static_cast<std::int64_t>(total)}, at::kFloat);
            raw_all_gather(fresh);
            if (fresh.data_ptr<float>()[0] != 0.0f) std::abort();
          }
          break;
        }
        case op::reduce_scatter: {
          if (v == raw) {
            std::vector<at::Tensor> t{xp.local().aten()};
            wait(pg.allreduce(t));
            at::Tensor mine = t[0].narrow(0, me * nb, nb);
            if (mine.data_ptr<float>()[0] != 0.0f) std::abort();
          } else if (v == runtime) {
            c.reduce_scatter_sum(std::span<float const>(xp.local().data(), total),
                                 std::span<float>(scattered.local().data(), block), counts);
          } else if (v == into) {
            spmd::reduce_scatter_into<"x">(r, xp, scattered);
          } else if (v == typed) {
            auto y = spmd::reduce_scatter<"x", 0>(r, xp);
            if (y.local().data()[0] != 0.0f) std::abort();
          } else if (v == raw_alloc) {
            std::vector<at::Tensor> t{xp.local().aten()};
            wait(pg.allreduce(t));
            at::Tensor mine = t[0].narrow(0, me * nb, nb).clone();
            if (mine.data_ptr<float>()[0] != 0.0f) std::abort();
          } else {
            at::Tensor in = xp.local().aten(), out = scattered.local().aten();  // share the storage
            wait(pg.alltoall_base(received, in, splits, splits));
            at::sum_out(out, received.view({static_cast<std::int64_t>(ranks), nb}), {0});
          }
          break;
        }
      }
    }
  }

  /// Seconds for m calls of variant v: between two barriers, the maximum over the ranks.
  double sample(int v, long m) {
    auto& pg = r.comm("x").native();
    wait(pg.barrier());
    auto const t0 = std::chrono::steady_clock::now();
    run(v, m);
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::vector<at::Tensor> slot{at::full({1}, t, at::kDouble)};
    c10d::AllreduceOptions max;
    max.reduceOp = c10d::ReduceOp::MAX;
    wait(pg.allreduce(slot, max));
    return slot[0].item<double>();
  }
};

result measure(spmd::dist::rank& r, op o, std::size_t bytes, int rounds) {
  variants v(r, o, bytes / sizeof(float));
  int const nv = v.count();
  for (int k = 0; k < nv; ++k) v.run(k, 3);  // warm up: page faults, Gloo's buffers
  // Calls per sample: >= 5 ms per sample (the same on every rank: sample() takes the max).
  long m = 1;
  for (;;) {
    double const t = v.sample(raw, m);
    if (t >= 5e-3 || m >= (1L << 20)) break;
    m = std::max(m * 2, static_cast<long>(static_cast<double>(m) * 6e-3 / std::max(t, 1e-9)));
  }
  std::vector<double> t[variant_count], runtime_raw, into_raw, typed_raw, alloc_raw, typed_alloc, into_a2a;
  std::mt19937 shuffle_gen(12345);  // the same sequence on every rank
  std::vector<int> order(static_cast<std::size_t>(nv));
  std::iota(order.begin(), order.end(), 0);
  for (int s = 0; s < rounds; ++s) {
    double round[variant_count] = {};
    std::shuffle(order.begin(), order.end(), shuffle_gen);
    for (int k : order) round[k] = v.sample(k, m) / static_cast<double>(m);
    for (int k = 0; k < nv; ++k) t[k].push_back(round[k]);
    runtime_raw.push_back(round[runtime] / round[raw]);
    into_raw.push_back(round[into] / round[raw]);
    if (nv > 3) {
      typed_raw.push_back(round[typed] / round[raw]);
      alloc_raw.push_back(round[raw_alloc] / round[raw]);
      typed_alloc.push_back(round[typed] / round[raw_alloc]);
    }
    if (nv > a2a) into_a2a.push_back(round[into] / round[a2a]);
  }
  result out{o, bytes, {}, median(runtime_raw), median(into_raw), 0, 0, 0, 0};
  if (nv > 3) {
    out.typed_raw = median(typed_raw);
    out.alloc_raw = median(alloc_raw);
    out.typed_alloc = median(typed_alloc);
  }
  if (nv > a2a) out.into_a2a = median(into_a2a);
  for (int k = 0; k < nv; ++k) out.time[k] = median(t[k]);
  return out;
}

// A communicator and rank whose collectives do nothing: what remains of a typed call is the
// typed layer's own work (checks, split lengths, counts) and torch_tensor's accessors.
struct noop_comm {
  [[nodiscard]] std::size_t size() const { return 2; }
  [[nodiscard]] std::size_t rank() const { return 0; }
  template <class U>
  void all_reduce_sum(std::span<U> d) {
    escape(d.data());
  }
  template <class U>
  void reduce_scatter_sum(std::span<U const> in, std::span<U> out, std::span<std::size_t const> counts) {
    escape(in.data(), out.data(), counts.data());
  }
  template <class U>
  void all_gather(std::span<U const> in, std::span<U> out, std::span<std::size_t const> counts) {
    escape(in.data(), out.data(), counts.data());
  }
  template <class U>
  void all_to_all(std::span<U const>, std::span<std::size_t const>, std::span<U>, std::span<std::size_t const>) {}
  template <class U>
  void broadcast(std::span<U>, std::size_t) {}
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
/// direct}. The best of 5 repetitions of 10^6 calls.
std::array<double, 4> typed_layer_ns() {
  noop_rank r;
  T<spmd::S<0>> shard(Vec({128}, 0.0f));
  T<spmd::R> whole(Vec({256}, 0.0f));
  T<spmd::P> partial(Vec({256}, 0.0f));
  T<spmd::S<0>> mine(Vec({128}, 0.0f));
  std::vector<std::size_t> const counts{128, 128};
  long const n = 1'000'000;
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
  int const rounds = argc > 1 ? std::max(3, std::atoi(argv[1])) : 31;
  std::size_t const step = argc > 2 ? static_cast<std::size_t>(std::max(2, std::atoi(argv[2]))) : 4;
  char const* world = std::getenv("WORLD_SIZE");
  std::size_t const ranks = world != nullptr ? static_cast<std::size_t>(std::max(1, std::atoi(world))) : 1;
  std::vector<std::size_t> sizes;
  for (std::size_t b = 4 << 10; b <= (std::size_t{16} << 20); b *= step) sizes.push_back(b);
  if ((4096 / sizeof(float)) % ranks != 0) {
    std::fprintf(stderr, "bench_torch_collectives: the rank count must divide 1024\n");
    return 1;
  }
  at::set_num_threads(1);  // one core per process: the ranks share the machine

  std::vector<result> results;
  bool first = false;
  spmd::dist::run({{"x", ranks}}, [&](spmd::dist::rank& r) {
    first = r.index() == 0;
    for (op o : {op::all_reduce, op::all_gather, op::reduce_scatter})
      for (std::size_t b : sizes) results.push_back(measure(r, o, b, rounds));
  });

  if (first) {
    auto const ns = typed_layer_ns();
    std::printf(
        "typed layer alone (torch_tensor, no-op communicator, ns per call): all_gather_into %.2f (direct "
        "%.2f), reduce_scatter_into %.2f (direct %.2f)\n",
        ns[0], ns[1], ns[2], ns[3]);
    std::printf(
        "spmd c10d (Gloo) collectives: %zu ranks, float, %d rounds per point; times per call (median); "
        "ratios: median of the per-round ratios\n",
        ranks, rounds);
    std::printf("%-15s %8s %10s %10s %10s %10s %10s %10s %8s %8s %8s %8s %8s %8s\n", "op", "size", "raw us", "a2a us",
                "runtime us", "into us", "typed us", "+alloc us", "rt/raw", "into/raw", "typ/raw", "+al/raw", "typ/+al",
                "into/a2a");
    for (auto const& x : results) {
      std::printf("%-15s %8s %10.1f", op_label(x.o), size_label(x.bytes).c_str(), x.time[raw] * 1e6);
      if (x.o == op::reduce_scatter)
        std::printf(" %10.1f", x.time[a2a] * 1e6);
      else
        std::printf(" %10s", "-");
      std::printf(" %10.1f %10.1f", x.time[runtime] * 1e6, x.time[into] * 1e6);
      if (x.o == op::all_reduce)  // in place: nothing to allocate
        std::printf(" %10s %10s %8.3f %8.3f %8s %8s %8s %8s\n", "-", "-", x.runtime_raw, x.into_raw, "-", "-", "-",
                    "-");
      else
        std::printf(" %10.1f %10.1f %8.3f %8.3f %8.3f %8.3f %8.3f", x.time[typed] * 1e6, x.time[raw_alloc] * 1e6,
                    x.runtime_raw, x.into_raw, x.typed_raw, x.alloc_raw, x.typed_alloc);
      if (x.o == op::reduce_scatter)
        std::printf(" %8.3f\n", x.into_a2a);
      else if (x.o == op::all_gather)
        std::printf(" %8s\n", "-");
    }
  }
  return 0;
}
