// The Megatron MLP block, y = gelu(x @ w1 + b1) @ w2 + b2, written in the global view: the
// whole tensors are distributed by their partition specs, the ops propagate the specs, the
// reductions are global::redistribute, and full_tensor gives the whole output back. Runs it
// with tensor parallelism alone (activations whole on tp) and with sequence parallelism
// (activations sharded along the tokens on (dp, tp)), and checks both against the same block
// written in the local view (typed tensors and typed collectives on the same pieces) and
// against a serial run on the whole tensors. Exit status 1 on a mismatch.
//
//   global_mlp [--dp N] [--tp N] [--tokens N] [--seed N]
//
// --tokens need not divide by dp * tp: uneven shards are split by rule (docs/global.md).
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <spmd/comm.hpp>
#include <spmd/dense.hpp>
#include <spmd/global.hpp>
#include <spmd/runtime/threads.hpp>
#include <spmd/spmd.hpp>

#include "options.hpp"

using namespace spmd;
using Mat = local::dense<double, 2>;
using Mesh = mesh<"dp", "tp">;
template <class Spec>
using G = global_tensor<Mat, Mesh, Spec>;

namespace {

struct options {
  std::size_t dp = 2, tp = 2, steps = 0, tokens = 13;
  bool mpi = false;
  std::uint64_t seed = 1;
};

examples::program const prog{"global_mlp", "[--dp N] [--tp N] [--tokens N] [--seed N]"};

options parse(int argc, char** argv) {
  options o;
  examples::scan(prog, argc, argv, [&](examples::arg const& a) {
    if (a.is("--tokens"))
      o.tokens = a.number();
    else if (a.is("--runtime") || a.is("--steps"))
      return false;
    else
      return examples::mesh_arg(a, o);
    return true;
  });
  if (o.dp == 0 || o.tp == 0 || o.tokens == 0) prog.usage("--dp, --tp and --tokens must be at least 1");
  return o;
}

constexpr std::size_t hidden = 8, ffn = 24;

// The same random matrix on every rank.
Mat random_matrix(std::size_t rows, std::size_t cols, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> dist(0.0, 0.5);
  Mat m({rows, cols});
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = dist(gen);
  return m;
}

double max_diff(Mat const& a, Mat const& b) {
  if (a.shape() != b.shape()) return INFINITY;
  double d = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::fmax(d, std::fabs(a.data()[i] - b.data()[i]));
  return d;
}

// The whole tensors of the problem.
struct problem {
  Mat x, w1, b1, w2, b2;
};

// The parameters' specs: column-parallel w1 and b1, row-parallel w2, a bias b2 added after the
// reduction; replicated over dp (R: their gradients would be pending sums over dp).
using W1 = G<spec<on<>, on<"tp">, at<"dp", R>>>;
using W2 = G<spec<on<"tp">, on<>, at<"dp", R>>>;
using B2 = G<spec<on<>, on<>, at<"dp", R>, at<"tp", I>>>;

// The activations: batch on dp; whole on tp (I: every tp rank does the same work), or, with
// sequence parallelism, the tokens split further over tp.
using Act = G<spec<on<"dp">, on<>, at<"tp", I>>>;
using ActSP = G<spec<on<"dp", "tp">, on<>>>;
// The column-parallel input: R on tp (its gradient would come back all-reduced).
using In = G<spec<on<"dp">, on<>, at<"tp", R>>>;

// The block in the global view. `X` is Act or ActSP; the same code serves both, because the
// redistributions say where the activations go, and the plan finds the collectives.
template <class X, class Rank>
X mlp(Rank& r, X const& x, W1 const& w1, W1 const& b1, W2 const& w2, B2 const& b2) {
  auto const in = global::redistribute<In::spec_type>(r, x);               // convert I -> R, or all_gather
  auto const h = gelu(matmul(in, w1) + b1);                                // [tokens@dp, ffn@tp]
  auto const partial = matmul(h, w2, out_partial<"tp">);                   // [tokens@dp, hidden]{tp:P}
  auto const y = global::redistribute<typename X::spec_type>(r, partial);  // all_reduce, or reduce_scatter
  // The bias meets y as I on tp, or as R next to the sequence shards.
  using bias_spec =
      std::conditional_t<std::is_same_v<X, ActSP>, spec<on<>, on<>, at<"dp", R>, at<"tp", R>>, B2::spec_type>;
  return y + global::redistribute<bias_spec>(r, b2);
}

// The same block in the local view, on the same pieces: the typed collectives by hand.
template <class Rank>
Mat local_mlp(Rank& r, Act const& x, W1 const& w1, W1 const& b1, W2 const& w2, B2 const& b2) {
  auto const in = convert<"tp", I, R>(r, to_local(x));
  auto const h = gelu(matmul(in, to_local(w1)) + to_local(b1));
  auto const y = all_reduce<"tp", I>(r, matmul(h, to_local(w2), out_partial<"tp">));
  auto const out = y + to_local(b2);
  return full_tensor(r, from_local<Act>(r, out, x.global_shape()));
}
template <class Rank>
Mat local_mlp(Rank& r, ActSP const& x, W1 const& w1, W1 const& b1, W2 const& w2, B2 const& b2) {
  // The tokens of this rank's dp block, split over tp: the split sizes of the gather and the scatter.
  std::size_t const dp_block = global::piece({0, x.global_shape()[0]}, r.axis_size("dp"), r.coord("dp")).length;
  auto const sizes = global::piece_lengths(dp_block, r.axis_size("tp"));
  auto const in = all_gather<"tp", R>(r, to_local(x), sizes);
  auto const h = gelu(matmul(in, to_local(w1)) + to_local(b1));
  auto const y = reduce_scatter<"tp", 0>(r, matmul(h, to_local(w2), out_partial<"tp">), sizes);
  auto const out = y + convert<"tp", I, R>(r, to_local(b2));
  return full_tensor(r, from_local<ActSP>(r, out, x.global_shape()));
}

Mat serial_mlp(problem const& p) {
  return local::add(local::matmul(local::gelu(local::add(local::matmul(p.x, p.w1), p.b1)), p.w2), p.b2);
}

template <class X>
bool run_variant(options const& o, problem const& p, char const* title) {
  double global_vs_serial = 0.0, global_vs_local = 0.0;
  Mat const serial = serial_mlp(p);
  threads::run({{"dp", o.dp}, {"tp", o.tp}}, [&](threads::rank& r) {
    auto const x = distribute<X>(r, p.x);
    auto const w1 = distribute<W1>(r, p.w1);
    auto const b1 = distribute<W1>(r, p.b1);
    auto const w2 = distribute<W2>(r, p.w2);
    auto const b2 = distribute<B2>(r, p.b2);
    auto const y = mlp(r, x, w1, b1, w2, b2);
    Mat const whole = full_tensor(r, y);
    Mat const local_view = local_mlp(r, x, w1, b1, w2, b2);
    if (r.index() != 0) return;
    global_vs_serial = max_diff(whole, serial);
    global_vs_local = max_diff(whole, local_view);
    fmt::print("{}\n", title);
    fmt::print("  x  {}   w1 {}   w2 {}\n", global::describe(x), global::describe(w1), global::describe(w2));
    fmt::print("  in:     {}\n", fmt::format("{}", global::plan_of<X, In::spec_type>));
    fmt::print("  reduce: {}\n",
               fmt::format("{}", global::plan_of<G<spec<on<"dp">, on<>, at<"tp", P>>>, typename X::spec_type>));
    fmt::print("  y  {}\n", global::describe(y));
    fmt::print("  max |global - serial| = {:.3g}, max |global - local view| = {:.3g}\n", global_vs_serial,
               global_vs_local);
  });
  return global_vs_serial < 1e-12 && global_vs_local < 1e-12;
}

}  // namespace

int main(int argc, char** argv) {
  options const o = parse(argc, argv);
  problem const p{random_matrix(o.tokens, hidden, o.seed), random_matrix(hidden, ffn, o.seed + 1),
                  random_matrix(1, ffn, o.seed + 2), random_matrix(ffn, hidden, o.seed + 3),
                  random_matrix(1, hidden, o.seed + 4)};
  fmt::print("global_mlp: dp={} tp={} tokens={} hidden={} ffn={}\n", o.dp, o.tp, o.tokens, hidden, ffn);
  bool ok = run_variant<Act>(o, p, "tensor parallel (activations whole on tp):");
  ok = run_variant<ActSP>(o, p, "sequence parallel (tokens sharded on (dp, tp)):") && ok;
  std::puts(ok ? "global_mlp: OK (global == local view == serial)" : "global_mlp: MISMATCH");
  return ok ? 0 : 1;
}
