// The run-time cost of the types, counted in instructions: one rank of a Megatron block written
// three ways over the same kernels and the same runtime (threads, mesh dp=1 x tp=1, so that the
// collectives run through the communicator as they would on more ranks):
//
//   typed      spmd's typed tensors and collectives (forward), or the nn:: modules through the
//              autograd tape (step = forward + backward);
//   untyped    the same program on the bare local tensors with the communicator's untyped
//              collectives, backward written by hand (what one writes without spmd);
//   checked    (mlp_forward only) the run-time-checked sharding layer of checked_layer.hpp:
//              layouts as values, checked on every op.
//
// Usage: callgrind_megatron_block <mlp_forward|block_forward|block_step> <typed|untyped|checked>
//        <n> <iterations>
// n is the number of tokens and the hidden width (the MLP's inner width is 2n, 4 heads). Run it
// under `valgrind --tool=callgrind` with two iteration counts and subtract (scripts/bench.sh does):
// the difference is the instructions of the iterations alone. Each run also checks its result
// (the output's sum, or the gradients' sums, printed as "check <value>"), so the variants can be
// compared: they must print the same numbers up to rounding.
#include <spmd/autograd.hpp>
#include <spmd/comm.hpp>
#include <spmd/dense.hpp>
#include <spmd/nn.hpp>
#include <spmd/runtime/threads.hpp>

#include "../checked_layer.hpp"

#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <utility>

using namespace spmd;

namespace {

using Mat = local::dense<float, 2>;
using Act = nn::activation<float, false>;  // (V, I): tokens per dp rank, whole on tp
using block = nn::transformer_block<float>;
constexpr double eps = 1e-5;

struct sizes {
  std::size_t n, ffn, heads;
};

double sum_of(Mat const& m) {
  double s = 0;
  for (std::size_t i = 0; i < m.size(); ++i) s += m.data()[i];
  return s;
}

Mat input(std::size_t n) {
  Mat x({n, n});
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = 0.01f * static_cast<float>((i * 37 + 11) % 101) - 0.5f;
  return x;
}

void all_reduce(threads::rank& r, Mat& m) {
  r.comm("tp").all_reduce_sum(std::span<float>(m.data(), m.size()));
}

// ---- the MLP block forward (column-parallel, gelu, row-parallel + all_reduce) ------------------

struct mlp_weights {
  Mat w1, b1, w2, b2;
  explicit mlp_weights(sizes s) {
    nn::initializer init(7);
    w1 = init.normal<float>(s.n, s.ffn, 0.1);
    b1 = init.normal<float>(1, s.ffn, 0.1);
    w2 = init.normal<float>(s.ffn, s.n, 0.1);
    b2 = init.normal<float>(1, s.n, 0.1);
  }
};

double mlp_forward(threads::rank& r, std::string_view variant, sizes s, long iterations) {
  mlp_weights const p(s);
  Mat const x0 = input(s.n);
  double check = 0;
  if (variant == "typed") {
    Act const x{x0};
    nn::column_weight<float> const w1{p.w1}, b1{p.b1};
    nn::row_weight<float> const w2{p.w2};
    nn::replicated<float> const b2{p.b2};
    for (long it = 0; it < iterations; ++it) {
      auto h = gelu(matmul(convert<"tp", I, R>(r, x), w1) + b1);
      Act y = all_reduce<"tp", I>(r, matmul(h, w2, out_partial<"tp">)) + b2;
      check = sum_of(y.local());
    }
  } else if (variant == "untyped") {
    for (long it = 0; it < iterations; ++it) {
      Mat h = local::gelu(local::add(local::matmul(x0, p.w1), p.b1));
      Mat y = local::matmul(h, p.w2);
      all_reduce(r, y);
      y = local::add(y, p.b2);
      check = sum_of(y);
    }
  } else if (variant == "checked") {
    namespace ck = bench::checked;
    ck::tensor const x{x0, {2, {ck::V, ck::I}}}, w1{p.w1, {2, {ck::R, ck::S(1)}}}, b1{p.b1, {2, {ck::R, ck::S(1)}}},
        w2{p.w2, {2, {ck::R, ck::S(0)}}}, b2{p.b2, {2, {ck::R, ck::I}}};
    for (long it = 0; it < iterations; ++it) {
      auto h = ck::gelu(ck::matmul(ck::convert(x, 1, ck::I, ck::R), w1) + b1);
      auto y = ck::all_reduce(ck::matmul(h, w2, 1u << 1), 1, ck::I, [&](Mat& m) { all_reduce(r, m); }) + b2;
      check = sum_of(y.local);
    }
  } else {
    return std::nan("");
  }
  return check;
}

// ---- the transformer block forward: typed tensors with the fused ops, or the kernels -----------

// The block's parameters as bare local tensors, for the untyped programs.
struct block_weights {
  Mat ln1w, ln1b, wqkv, wo, bo, ln2w, ln2b, w1, b1, w2, b2;
};
block_weights weights_of(block const& b) {
  return {b.ln1.weight.value().local(),       b.ln1.bias.value().local(),       b.attn.qkv.weight.value().local(),
          b.attn.proj.weight.value().local(), b.attn.proj.bias.value().local(), b.ln2.weight.value().local(),
          b.ln2.bias.value().local(),         b.ffn.fc.weight.value().local(),  b.ffn.fc.bias->value().local(),
          b.ffn.proj.weight.value().local(),  b.ffn.proj.bias.value().local()};
}

double block_forward(threads::rank& r, std::string_view variant, sizes s, long iterations) {
  nn::initializer init(11);
  auto const b = block::make(r, init, s.n, s.heads, s.ffn, 2);
  std::size_t const head_dim = s.n / s.heads, seq = s.n;
  Mat const x0 = input(s.n);
  double check = 0;
  if (variant == "typed") {
    namespace fop = nn::fused::op;
    Act const x{x0};
    auto const& ln1w = b.ln1.weight.value();
    auto const& ln1b = b.ln1.bias.value();
    auto const& ln2w = b.ln2.weight.value();
    auto const& ln2b = b.ln2.bias.value();
    for (long it = 0; it < iterations; ++it) {
      auto l1 = apply<fop::layer_norm>(x, ln1w, ln1b, eps);
      auto qkv = matmul(convert<"tp", I, R>(r, std::move(l1)), b.attn.qkv.weight.value());
      auto att = apply<fop::causal_attention>(qkv, head_dim, seq);
      auto o =
          all_reduce<"tp", I>(r, matmul(att, b.attn.proj.weight.value(), out_partial<"tp">)) + b.attn.proj.bias.value();
      Act h = x + o;
      auto l2 = apply<fop::layer_norm>(h, ln2w, ln2b, eps);
      auto u = gelu(matmul(convert<"tp", I, R>(r, std::move(l2)), b.ffn.fc.weight.value()) + b.ffn.fc.bias->value());
      auto m =
          all_reduce<"tp", I>(r, matmul(u, b.ffn.proj.weight.value(), out_partial<"tp">)) + b.ffn.proj.bias.value();
      Act y = h + m;
      check = sum_of(y.local());
    }
  } else if (variant == "untyped") {
    namespace fop = nn::fused::op;
    auto const [ln1w, ln1b, wqkv, wo, bo, ln2w, ln2b, w1, b1, w2, b2] = weights_of(b);
    for (long it = 0; it < iterations; ++it) {
      Mat l1 = fop::layer_norm::kernel(x0, ln1w, ln1b, eps);
      Mat att = fop::causal_attention::kernel(local::matmul(l1, wqkv), head_dim, seq);
      Mat o = local::matmul(att, wo);
      all_reduce(r, o);
      Mat h = local::add(x0, local::add(o, bo));
      Mat l2 = fop::layer_norm::kernel(h, ln2w, ln2b, eps);
      Mat m = local::matmul(local::gelu(local::add(local::matmul(l2, w1), b1)), w2);
      all_reduce(r, m);
      Mat y = local::add(h, local::add(m, b2));
      check = sum_of(y);
    }
  } else {
    return std::nan("");
  }
  return check;
}

// ---- the transformer block, forward + backward: nn:: through the tape, or written by hand -------

double block_step(threads::rank& r, std::string_view variant, sizes s, long iterations) {
  nn::initializer init(11);
  auto b = block::make(r, init, s.n, s.heads, s.ffn, 2);
  std::size_t const head_dim = s.n / s.heads, seq = s.n;
  Mat const x0 = input(s.n);
  double check = 0;
  if (variant == "typed") {
    for (long it = 0; it < iterations; ++it) {
      autograd::tape t;
      autograd::var<Act> const x{Act{x0}};
      // the per-rank sum of a V@dp value is one term of the loss: P@dp (a no-op reinterpret)
      auto loss = autograd::reinterpret<"dp", V, P>(r, autograd::sum_all(b.forward(r, t, x, seq)));
      autograd::backward(loss);
      check = 0;
      b.for_each_parameter([&](auto& p) {
        check += sum_of(p.grad().local());
        p.zero_grad();
      });
    }
  } else if (variant == "untyped") {
    namespace fop = nn::fused::op;
    namespace fd = nn::fused::detail;
    auto const [ln1w, ln1b, wqkv, wo, bo, ln2w, ln2b, w1, b1, w2, b2] = weights_of(b);
    auto const t = [](Mat const& m) { return local::transpose(m, 0, 1); };
    auto const rows = [](Mat const& g) { return local::unsqueeze(local::sum(g, 0), 0); };
    for (long it = 0; it < iterations; ++it) {
      // forward, keeping what the backward needs
      Mat const l1 = fop::layer_norm::kernel(x0, ln1w, ln1b, eps);
      Mat const qkv = local::matmul(l1, wqkv);
      Mat const att = fop::causal_attention::kernel(qkv, head_dim, seq);
      Mat o = local::matmul(att, wo);
      all_reduce(r, o);
      Mat const h = local::add(x0, local::add(o, bo));
      Mat const l2 = fop::layer_norm::kernel(h, ln2w, ln2b, eps);
      Mat const a = local::add(local::matmul(l2, w1), b1);
      Mat const u = local::gelu(a);
      Mat m = local::matmul(u, w2);
      all_reduce(r, m);
      Mat const y = local::add(h, local::add(m, b2));
      // backward of sum(y)
      Mat const gy(y.shape(), 1.0f);
      Mat const gb2 = rows(gy), gw2 = local::matmul(t(u), gy);
      Mat const ga = local::gelu_backward(a, local::matmul(gy, t(w2)));
      Mat const gb1 = rows(ga), gw1 = local::matmul(t(l2), ga);
      Mat gl2 = local::matmul(ga, t(w1));
      all_reduce(r, gl2);  // the backward of convert<tp, I, R>
      Mat const gln2w = rows(local::mul(gl2, fd::layer_norm_xhat(h, eps))), gln2b = rows(gl2);
      Mat const gh = local::add(gy, fop::layer_norm_dx::kernel(gl2, h, ln2w, eps));
      Mat const gbo = rows(gh), gwo = local::matmul(t(att), gh);
      Mat const gqkv = fop::causal_attention_grad::kernel(local::matmul(gh, t(wo)), qkv, head_dim, seq);
      Mat const gwqkv = local::matmul(t(l1), gqkv);
      Mat gl1 = local::matmul(gqkv, t(wqkv));
      all_reduce(r, gl1);
      Mat const gln1w = rows(local::mul(gl1, fd::layer_norm_xhat(x0, eps))), gln1b = rows(gl1);
      check = 0;
      for (Mat const* g : {&gln1w, &gln1b, &gwqkv, &gwo, &gbo, &gln2w, &gln2b, &gw1, &gb1, &gw2, &gb2})
        check += sum_of(*g);
    }
  } else {
    return std::nan("");
  }
  return check;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s <mlp_forward|block_forward|block_step> <typed|untyped|checked> <n> <iterations>\n",
                 argv[0]);
    return 2;
  }
  std::string_view const which = argv[1], variant = argv[2];
  sizes const s{std::strtoul(argv[3], nullptr, 10), 2 * std::strtoul(argv[3], nullptr, 10), 4};
  long const iterations = std::strtol(argv[4], nullptr, 10);
  if (s.n == 0 || s.n % s.heads != 0) {
    std::fprintf(stderr, "n must be a positive multiple of %zu\n", s.heads);
    return 2;
  }
  double check = std::nan("");
  threads::run({{"dp", 1}, {"tp", 1}}, [&](threads::rank& r) {
    if (which == "mlp_forward") check = mlp_forward(r, variant, s, iterations);
    if (which == "block_forward") check = block_forward(r, variant, s, iterations);
    if (which == "block_step") check = block_step(r, variant, s, iterations);
  });
  if (std::isnan(check)) {
    std::fprintf(stderr, "unknown case or variant: %s %s\n", argv[1], argv[2]);
    return 2;
  }
  std::printf("check %.9g\n", check);
  return 0;
}
