// spmd/nn/attention.hpp - causal multi-head self-attention with the heads split over tp.
//
//   x (V, S0|I) --column-parallel, fused QKV weight [hidden, 3 hidden/tp] (R, S1)-->
//   qkv (V, S1) [tokens, 3 * local_heads * head_dim]: for each local head, its q, k, v columns
//   --causal attention per local head (fused op)--> (V, S1) [tokens, local_heads * head_dim]
//   --row-parallel output projection [hidden/tp, hidden] (R, S0)--> (V, S0|I)
//
// The columns of the fused QKV weight are head-major: head h owns columns
// [3 h d, 3 (h + 1) d) laid out q | k | v. A contiguous S(1) shard over tp is then a set of whole
// heads, and the concatenation of the per-rank outputs along dim 1 is the whole attention output
// in the row order of the output projection's weight.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <Eigen/Core>
#include <spmd/autograd/apply.hpp>
#include <spmd/autograd/tape.hpp>
#include <spmd/nn/init.hpp>
#include <spmd/nn/linear.hpp>
#include <spmd/nn/types.hpp>
#include <spmd/ops/define.hpp>
#include <spmd/rules/dim_maps.hpp>

namespace spmd::nn {

namespace fused {

namespace detail {
template <class T>
using row_major = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using cmap = Eigen::Map<row_major<T> const, 0, Eigen::OuterStride<>>;
template <class T>
using mmap = Eigen::Map<row_major<T>, 0, Eigen::OuterStride<>>;

struct attention_shape {
  std::size_t batch, seq, heads, head_dim;
  [[nodiscard]] Eigen::Index ld_in() const { return static_cast<Eigen::Index>(3 * heads * head_dim); }
  [[nodiscard]] Eigen::Index ld_out() const { return static_cast<Eigen::Index>(heads * head_dim); }
};

template <class Local>
attention_shape check_shape(Local const& qkv, std::size_t head_dim, std::size_t seq) {
  std::size_t const n = qkv.shape()[0], c = qkv.shape()[1];
  if (head_dim == 0 || seq == 0 || c % (3 * head_dim) != 0 || n % seq != 0)
    throw std::invalid_argument("spmd: nn::causal_attention: qkv [" + std::to_string(n) + ", " + std::to_string(c) +
                                "] must be [batch * seq, 3 * heads * head_dim] with seq = " + std::to_string(seq) +
                                " and head_dim = " + std::to_string(head_dim));
  return {n / seq, seq, c / (3 * head_dim), head_dim};
}

/// Forward of every (sequence, head): the probabilities P = softmax(mask(Q K^T / sqrt(d))) into
/// `probs` and, if `out` is not null, O = P V into *out.
template <class Local>
void attention_forward(Local const& qkv, attention_shape s, Local* out,
                       std::vector<typename Local::value_type>& probs) {
  using T = typename Local::value_type;
  Eigen::Index const L = static_cast<Eigen::Index>(s.seq), d = static_cast<Eigen::Index>(s.head_dim);
  T const scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(s.head_dim)));
  probs.assign(s.batch * s.heads * s.seq * s.seq, T{0});
  row_major<T> sc(L, L);
  for (std::size_t b = 0; b < s.batch; ++b)
    for (std::size_t h = 0; h < s.heads; ++h) {
      T const* base =
          qkv.data() + static_cast<Eigen::Index>(b * s.seq) * s.ld_in() + static_cast<Eigen::Index>(h * 3 * s.head_dim);
      cmap<T> q(base, L, d, Eigen::OuterStride<>(s.ld_in()));
      cmap<T> k(base + d, L, d, Eigen::OuterStride<>(s.ld_in()));
      cmap<T> v(base + 2 * d, L, d, Eigen::OuterStride<>(s.ld_in()));
      sc.noalias() = (q * k.transpose()) * scale;
      Eigen::Map<row_major<T>> p(probs.data() + (b * s.heads + h) * s.seq * s.seq, L, L);
      for (Eigen::Index i = 0; i < L; ++i) {
        T mx = -std::numeric_limits<T>::infinity();
        for (Eigen::Index j = 0; j <= i; ++j) mx = std::max(mx, sc(i, j));
        T total = 0;
        for (Eigen::Index j = 0; j <= i; ++j) total += (p(i, j) = std::exp(sc(i, j) - mx));
        for (Eigen::Index j = 0; j <= i; ++j) p(i, j) /= total;
      }
      if (out == nullptr) continue;
      mmap<T> o(out->data() + static_cast<Eigen::Index>(b * s.seq) * s.ld_out() +
                    static_cast<Eigen::Index>(h * s.head_dim),
                L, d, Eigen::OuterStride<>(s.ld_out()));
      o.noalias() = p * v;
    }
}

/// Backward: dV = P^T dO, dP = dO V^T, dS = P * (dP - rowsum(dP * P)), dQ = dS K / sqrt(d),
/// dK = dS^T Q / sqrt(d).
template <class Local>
Local attention_backward(Local const& qkv, attention_shape s, std::vector<typename Local::value_type> const& probs,
                         Local const& dout) {
  using T = typename Local::value_type;
  Eigen::Index const L = static_cast<Eigen::Index>(s.seq), d = static_cast<Eigen::Index>(s.head_dim);
  T const scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(s.head_dim)));
  Local dqkv(qkv.shape());
  row_major<T> dp(L, L);
  for (std::size_t b = 0; b < s.batch; ++b)
    for (std::size_t h = 0; h < s.heads; ++h) {
      Eigen::Index const in_off =
          static_cast<Eigen::Index>(b * s.seq) * s.ld_in() + static_cast<Eigen::Index>(h * 3 * s.head_dim);
      T const* base = qkv.data() + in_off;
      cmap<T> q(base, L, d, Eigen::OuterStride<>(s.ld_in()));
      cmap<T> k(base + d, L, d, Eigen::OuterStride<>(s.ld_in()));
      cmap<T> v(base + 2 * d, L, d, Eigen::OuterStride<>(s.ld_in()));
      T* gbase = dqkv.data() + in_off;
      mmap<T> dq(gbase, L, d, Eigen::OuterStride<>(s.ld_in()));
      mmap<T> dk(gbase + d, L, d, Eigen::OuterStride<>(s.ld_in()));
      mmap<T> dv(gbase + 2 * d, L, d, Eigen::OuterStride<>(s.ld_in()));
      cmap<T> p(probs.data() + (b * s.heads + h) * s.seq * s.seq, L, L, Eigen::OuterStride<>(L));
      cmap<T> go(dout.data() + static_cast<Eigen::Index>(b * s.seq) * s.ld_out() +
                     static_cast<Eigen::Index>(h * s.head_dim),
                 L, d, Eigen::OuterStride<>(s.ld_out()));
      dv.noalias() = p.transpose() * go;
      dp.noalias() = go * v.transpose();
      for (Eigen::Index i = 0; i < L; ++i) {
        T dot = 0;
        for (Eigen::Index j = 0; j <= i; ++j) dot += dp(i, j) * p(i, j);
        for (Eigen::Index j = 0; j < L; ++j) dp(i, j) = j <= i ? p(i, j) * (dp(i, j) - dot) : T{0};
      }
      dq.noalias() = (dp * k) * scale;
      dk.noalias() = (dp.transpose() * q) * scale;
    }
  return dqkv;
}
}  // namespace detail

/// The definitions of the fused attention core (docs/ops.md): typing, kernel and backward in one
/// place, applied and recorded by op_fn like every built-in op.
namespace op {

/// dqkv from the result's gradient g and qkv: linear in g (which may be a pending sum), not in
/// qkv. The probabilities are recomputed from qkv (activation recomputation: the op keeps no
/// state between forward and backward); the computation is the forward's, so they are the same
/// numbers.
struct causal_attention_grad {
  static constexpr std::string_view name = "causal_attention_grad";
  static constexpr auto linearity = spmd::linearity::linear_in_first;
  static constexpr std::size_t arity = 2;
  using dims = rules::along_dims<0>;
  template <row_major_tensor Local>
  static auto kernel(Local const& g, Local const& qkv, std::size_t head_dim, std::size_t seq) {
    using T = typename Local::value_type;
    auto const s = detail::check_shape(qkv, head_dim, seq);
    std::vector<T> probs;
    detail::attention_forward(qkv, s, static_cast<Local*>(nullptr), probs);
    return detail::attention_backward(qkv, s, probs, g);
  }
};

/// The attention core: non-linear (no P), every dim in place (an S(1) over the heads stays S(1)).
struct causal_attention {
  static constexpr std::string_view name = "causal_attention";
  /// Each position attends to the earlier positions of its sequence: the op works along the token
  /// dim 0, so tokens sharded on an axis are an error (each rank would attend within its own chunk
  /// only); the columns (dim 1) are kept, so an S(1) over whole heads stays S(1).
  using dims = rules::along_dims<0>;
  template <class QKV, class... Attrs>
  static consteval bool check() {
    static_assert(QKV::ndim == 2, "spmd: nn::fused::causal_attention takes qkv [tokens, 3 * heads * head_dim]");
    return QKV::ndim == 2;
  }
  template <row_major_tensor Local>
  static auto kernel(Local const& qkv, std::size_t head_dim, std::size_t seq) {
    using T = typename Local::value_type;
    auto const s = detail::check_shape(qkv, head_dim, seq);
    Local out({qkv.shape()[0], s.heads * s.head_dim});
    std::vector<T> probs;
    detail::attention_forward(qkv, s, &out, probs);
    return out;
  }
  template <std::size_t>
  static auto backward(auto const& g, auto const& /*y*/, auto const& qkv, std::size_t head_dim, std::size_t seq) {
    return spmd::apply<causal_attention_grad>(g, qkv, head_dim, seq);
  }
};

}  // namespace op

/// The type of causal_attention(qkv): the rule of a non-linear op along dim 0 (tokens) of qkv.
template <typed_tensor QKV>
using causal_attention_t =
    decltype(spmd::apply<op::causal_attention>(std::declval<QKV const&>(), std::size_t{}, std::size_t{}));

/// Causal self-attention of every local head: qkv [batch * seq, 3 * heads * head_dim] (per head
/// q | k | v columns, rows sequence-major) -> [batch * seq, heads * head_dim]. Each sequence of
/// `seq` rows attends to itself only, position i to positions <= i. The result's type is the rule
/// of a non-linear op along dim 0 of qkv (no P; no S(0): gather the tokens first; an S(1) over the
/// heads stays S(1)); the backward
/// (op::causal_attention_grad) is checked against grad_t of qkv.
template <typed_tensor QKV>
var<causal_attention_t<QKV>> causal_attention(var<QKV> const& qkv, std::size_t head_dim, std::size_t seq) {
  return op_fn<op::causal_attention>{}(qkv, head_dim, seq);
}

}  // namespace fused

/// Causal multi-head self-attention, heads split over tp: a column-parallel fused QKV projection
/// (weight [hidden, 3 hidden] whole, (R, S1) sharded), the attention core per local head, and a
/// row-parallel output projection ([hidden, hidden] whole, (R, S0) sharded). Input and output: a
/// block activation.
template <class T>
struct self_attention {
  column_parallel_linear<T> qkv;
  row_parallel_linear<T> proj;
  std::size_t heads = 1;

  /// `heads` must divide by the tp size; `out_std` is the standard deviation of the output
  /// projection (GPT-2 scales it down with the depth). The QKV projection has a bias only if
  /// `qkv_bias`: the K part of such a bias has an exactly zero gradient (softmax is invariant to
  /// adding the same number to a row of scores), so it only ever receives rounding noise, which
  /// Adam's normalisation turns into steps of size lr.
  template <rank_context Rank>
  static self_attention make(Rank& r, initializer& init, std::size_t hidden, std::size_t heads, double out_std,
                             bool qkv_bias = false) {
    if (heads == 0 || hidden % heads != 0 || heads % r.axis_size("tp") != 0)
      throw std::invalid_argument("spmd: nn::self_attention: hidden " + std::to_string(hidden) + " and heads " +
                                  std::to_string(heads) +
                                  ": heads must divide hidden, and the tp size must divide heads");
    auto qkv = column_parallel_linear<T>::make(r, init, hidden, 3 * hidden, default_weight_std(hidden), qkv_bias);
    auto proj = row_parallel_linear<T>::make(r, init, hidden, hidden, out_std);
    return {std::move(qkv), std::move(proj), heads};
  }

  /// Attention over sequences of `seq` tokens (the tokens of x are batch * seq, sequence-major).
  template <rank_context Rank, block_activation X>
  var<X> forward(Rank& r, tape& t, var<X> const& x, std::size_t seq) const {
    std::size_t const hidden = proj.weight.value().local().extent(1);
    auto h = fused::causal_attention(qkv.forward(r, t, x), hidden / heads, seq);
    return proj.template forward<is_sequence_parallel<X>>(r, t, h);
  }

  template <class F>
  void for_each_parameter(F&& f) {
    qkv.for_each_parameter(f);
    proj.for_each_parameter(f);
  }
};

}  // namespace spmd::nn
