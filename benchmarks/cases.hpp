// benchmarks/cases.hpp - the benchmark cases, written once: timed by Google Benchmark
// (typed_overhead.cpp, autograd_overhead.cpp) and counted in instructions by callgrind
// (callgrind/cases.cpp).
//
// A case is a function object `case(n, loop)`: it sets up its operands of size n, then calls
// `loop(body)`, which runs `body()` as often as the caller wants; `body()` returns a number read
// from its result, which the caller keeps from the optimiser (benchmark::DoNotOptimize, or a
// volatile sink).
#pragma once

#include <spmd/autograd.hpp>
#include <spmd/dense.hpp>

#include "checked_layer.hpp"

#include <cstddef>
#include <cstdint>

namespace bench {

using Mat = spmd::local::dense<float, 2>;

/// An n x m matrix of small, varied values.
inline Mat make(std::size_t rows, std::size_t cols, float seed) {
  Mat m({rows, cols});
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = 0.001f * static_cast<float>((i * 7 + 3) % 97) + seed;
  return m;
}

namespace tp {
using Mesh = spmd::mesh<"dp", "tp">;
using Act = spmd::tensor<Mat, Mesh, spmd::layout<spmd::V, spmd::R>>;
using W1 = spmd::tensor<Mat, Mesh, spmd::layout<spmd::R, spmd::S<1>>>;
using W2 = spmd::tensor<Mat, Mesh, spmd::layout<spmd::R, spmd::S<0>>>;
inline constexpr checked::layout act_layout{2, {checked::V, checked::R}};
inline constexpr checked::layout w1_layout{2, {checked::R, checked::S(1)}};
inline constexpr checked::layout w2_layout{2, {checked::R, checked::S(0)}};
inline constexpr std::uint64_t tp_bit = 1u << 1;  // out_partial<"tp">: "tp" is mesh axis 1
}  // namespace tp

// ---- a tensor-parallel MLP block: gelu(x @ w1) @ w2 (row-parallel, pending sum) * 0.5 + itself --

inline constexpr auto mlp_typed = [](std::size_t n, auto&& loop) {
  using namespace spmd;
  tp::Act const x{make(n, n, 0.1f)};
  tp::W1 const w1{make(n, n, 0.2f)};
  tp::W2 const w2{make(n, n, 0.3f)};
  loop([&] {
    auto y = matmul(gelu(matmul(x, w1)), w2, out_partial<"tp">);
    auto z = y * 0.5f + y;
    return z.local().data()[0];
  });
};
inline constexpr auto mlp_checked = [](std::size_t n, auto&& loop) {
  checked::tensor const x{make(n, n, 0.1f), tp::act_layout}, w1{make(n, n, 0.2f), tp::w1_layout},
      w2{make(n, n, 0.3f), tp::w2_layout};
  loop([&] {
    auto y = checked::matmul(checked::gelu(checked::matmul(x, w1)), w2, tp::tp_bit);
    auto z = y * 0.5f + y;
    return z.local.data()[0];
  });
};
inline constexpr auto mlp_untyped = [](std::size_t n, auto&& loop) {
  namespace local = spmd::local;
  Mat const x = make(n, n, 0.1f), w1 = make(n, n, 0.2f), w2 = make(n, n, 0.3f);
  loop([&] {
    auto y = local::matmul(local::gelu(local::matmul(x, w1)), w2);
    auto z = local::add(local::mul(y, 0.5f), y);
    return z.data()[0];
  });
};

// ---- many small elementwise ops, [n, 8]: where a per-op overhead would show ---------------------

inline constexpr auto elementwise_typed = [](std::size_t n, auto&& loop) {
  tp::Act const a{make(n, 8, 0.1f)}, b{make(n, 8, 0.2f)};
  loop([&] {
    auto c = relu(a * b + a - b / 2.0f);
    return c.local().data()[0];
  });
};
inline constexpr auto elementwise_checked = [](std::size_t n, auto&& loop) {
  checked::tensor const a{make(n, 8, 0.1f), tp::act_layout}, b{make(n, 8, 0.2f), tp::act_layout};
  loop([&] {
    auto c = checked::relu(a * b + a - b / 2.0f);
    return c.local.data()[0];
  });
};
inline constexpr auto elementwise_untyped = [](std::size_t n, auto&& loop) {
  namespace local = spmd::local;
  Mat const a = make(n, 8, 0.1f), b = make(n, 8, 0.2f);
  loop([&] {
    auto c = local::relu(local::sub(local::add(local::mul(a, b), a), local::div(b, 2.0f)));
    return c.data()[0];
  });
};

// ---- forward + backward of loss = sum(gelu(x @ w1) @ w2): the tape, or a backward by hand -------

namespace one_axis {
using Act = spmd::tensor<Mat, spmd::mesh<"dp">, spmd::layout<spmd::I>>;
}

inline constexpr auto mlp_autograd = [](std::size_t n, auto&& loop) {
  namespace ag = spmd::autograd;
  using W = one_axis::Act;
  ag::parameter<W> w1{W{make(n, n, 0.2f)}}, w2{W{make(n, n, 0.3f)}};
  ag::var<one_axis::Act> const x{one_axis::Act{make(n, n, 0.1f)}};
  loop([&] {
    ag::tape t;
    auto loss = ag::sum_all(ag::matmul(ag::gelu(ag::matmul(x, w1.on(t))), w2.on(t)));
    ag::backward(loss);
    float const out = loss.value().local().data()[0] + w1.grad().local().data()[0] + w2.grad().local().data()[0];
    w1.zero_grad();
    w2.zero_grad();
    return out;
  });
};
inline constexpr auto mlp_by_hand = [](std::size_t n, auto&& loop) {
  namespace local = spmd::local;
  Mat const w1 = make(n, n, 0.2f), w2 = make(n, n, 0.3f), x = make(n, n, 0.1f);
  loop([&] {
    Mat const a = local::matmul(x, w1);
    Mat const h = local::gelu(a);
    Mat const y = local::matmul(h, w2);
    auto const loss = local::sum(local::sum(y, 1), 0);
    Mat const g({n, n}, 1.0f);  // d loss / d y
    Mat const gw2 = local::matmul(local::transpose(h, 0, 1), g);
    Mat const gh = local::matmul(g, local::transpose(w2, 0, 1));
    Mat const gw1 = local::matmul(local::transpose(x, 0, 1), local::gelu_backward(a, gh));
    return loss.data()[0] + gw1.data()[0] + gw2.data()[0];
  });
};

}  // namespace bench
