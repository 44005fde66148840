// spmd/nn/cross_entropy.hpp - vocab-parallel cross entropy: the loss of logits sharded over the
// vocabulary, without ever gathering the whole logits.
//
//   logits [tokens, vocab/tp] (V, S1)   (a column-parallel LM head's output)
//   per token: m  = max over tp of the local maxima       all_gather<tp, I, 1> of [tokens, 1]
//              se = sum over tp of sum_j exp(l_j - m)     all_reduce<tp, I> of [tokens, 1]
//              lt = sum over tp of the target's logit     all_reduce<tp, I> of [tokens, 1]
//                   (zero on the ranks whose range does not hold the target)
//   loss_t = log(se) + m - lt                             (V, I) [tokens, 1]
//   loss   = sum_t loss_t / (global number of tokens)     reinterpret<dp, V, P>: (P, I) [1, 1]
//
// Each dp rank's loss is its share of the global mean, so the P@dp loss means the mean over all
// tokens of all dp ranks. Backward: dlogits = (softmax - onehot(target)) * g / N on this rank's
// vocab slice; no communication (the backward of all_reduce to I is a reinterpret).
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>
#include <spmd/autograd/as_grad.hpp>
#include <spmd/autograd/tape.hpp>
#include <spmd/comm/collectives.hpp>
#include <spmd/comm/convert.hpp>
#include <spmd/local/dense_elementwise.hpp>
#include <spmd/nn/types.hpp>
#include <spmd/ops/elementwise.hpp>
#include <spmd/ops/reduce.hpp>
#include <spmd/ops/view.hpp>
#include <spmd/rules/layout_rule.hpp>

namespace spmd::nn {

namespace fused {

/// Op tags of the row-wise steps of the cross entropy, for the typing rules.
struct row_max_op {};  ///< per-row maximum (non-linear)
struct pick_op {       ///< per-row selection of one column (linear)
  static constexpr auto linearity = spmd::linearity::linear;
};

/// Where dims go in a row-wise reduction over dim 1 that keeps it with extent 1: the op works
/// along dim 1 (which must not be sharded), dim 0 stays.
struct rowwise_dims {
  static constexpr rules::dim_fate fate(std::size_t, int d) noexcept {
    return d == 1 ? rules::dim_fate::worked_along() : rules::dim_fate::to(d);
  }
};

/// The type of a row-wise reduction `Op` of x: [rows, n] -> [rows, 1].
template <class Op, typed_tensor X>
using rowwise_t =
    basic_tensor<typename X::local_type, typename X::mesh_type,
                 rules::result_layout_t<Op, typename X::mesh_type, rowwise_dims, typename X::layout_type>>;

namespace detail {
template <class L>
L row_max(L const& x) {
  using T = typename L::value_type;
  std::size_t const n = x.shape()[0], c = x.shape()[1];
  L out({n, 1}, -std::numeric_limits<T>::infinity());
  T* o = out.data();
  T const* in = x.data();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < c; ++j) o[i] = std::max(o[i], in[i * c + j]);
  return out;
}
/// x[i, target[i] - offset] where that column exists, else 0.
template <class L>
L pick(L const& x, std::span<int const> target, long offset) {
  using T = typename L::value_type;
  std::size_t const n = x.shape()[0], c = x.shape()[1];
  L out({n, 1}, T{0});
  T* o = out.data();
  T const* in = x.data();
  for (std::size_t i = 0; i < n; ++i) {
    long const k = static_cast<long>(target[i]) - offset;
    if (k >= 0 && k < static_cast<long>(c)) o[i] = in[i * c + static_cast<std::size_t>(k)];
  }
  return out;
}
/// The one-hot rows of the targets restricted to the columns [offset, offset + c).
template <class L>
L onehot(std::size_t n, std::size_t c, std::span<int const> target, long offset) {
  using T = typename L::value_type;
  L out({n, c}, T{0});
  T* o = out.data();
  for (std::size_t i = 0; i < n; ++i) {
    long const k = static_cast<long>(target[i]) - offset;
    if (k >= 0 && k < static_cast<long>(c)) o[i * c + static_cast<std::size_t>(k)] = T{1};
  }
  return out;
}
}  // namespace detail

/// The vocab-parallel cross entropy of `logits` [tokens, vocab/tp] (V, S1) against `targets`
/// (this dp rank's, one per token), divided by `global_tokens` (the number of tokens of all dp
/// ranks together). Rank k's columns are the ids [k vocab/tp, (k + 1) vocab/tp). The result is
/// (P, I) [1, 1]: its sum over dp is the mean loss per token.
template <rank_context Rank, class Local>
var<dp_tp_tensor<Local, P, I>> cross_entropy(Rank& r, var<dp_tp_tensor<Local, V, S<1>>> const& logits,
                                             std::span<int const> targets, std::size_t global_tokens) {
  using T = typename Local::value_type;
  using L = dp_tp_tensor<Local, V, S<1>>;
  using Loss = dp_tp_tensor<Local, P, I>;
  std::size_t const n = logits.value().local().shape()[0], c = logits.value().local().shape()[1];
  if (targets.size() != n || global_tokens == 0)
    throw std::invalid_argument("spmd: nn::vocab_parallel_cross_entropy: " + std::to_string(n) + " rows of logits, " +
                                std::to_string(targets.size()) + " targets, " + std::to_string(global_tokens) +
                                " tokens in all");
  long const offset = static_cast<long>(r.coord("tp") * c);
  // The vocab-parallel form works on each rank's columns as per-rank values (plain V) and
  // combines them with its own all_gather/all_reduce steps: the explicit way out of S(1).
  auto const l = spmd::convert<"tp", S<1>, V>(r, logits.value());
  using LV = std::remove_cvref_t<decltype(l)>;  // (V, V) [n, c]

  // The maximum over the whole vocabulary of each row (only for stability: any value that is
  // the same on every tp rank would do, so it carries no gradient).
  using Max = rowwise_t<row_max_op, LV>;                                                 // (V, V) [n, 1]
  auto const maxima = spmd::all_gather<"tp", I, 1>(r, Max{detail::row_max(l.local())});  // (V, I) [n, tp]
  auto const m = rowwise_t<row_max_op, std::remove_cvref_t<decltype(maxima)>>{detail::row_max(maxima.local())};
  auto e = spmd::exp(l - spmd::reinterpret<"tp", I, V>(m));                                      // (V, V) [n, c]
  auto const se = spmd::all_reduce<"tp", I>(r, spmd::unsqueeze<1>(spmd::sum<1>(e)));             // (V, I) [n, 1]
  using Pick = rowwise_t<pick_op, LV>;                                                           // (V, V) [n, 1]
  auto const lt = spmd::all_reduce<"tp", I>(r, Pick{detail::pick(l.local(), targets, offset)});  // (V, I)
  auto const per_token = spmd::log(se) + m - lt;                                                 // (V, I) [n, 1]
  T const inv_n = T{1} / static_cast<T>(global_tokens);
  Loss loss = spmd::reinterpret<"dp", V, P>(spmd::unsqueeze<0>(spmd::sum<0>(per_token)) * inv_n);

  return autograd::record(autograd::tape_of(logits), std::move(loss), logits.requires_grad(),
                          [logits, e = std::move(e), se, inv_n, offset, n, c,
                           targets = std::vector<int>(targets.begin(), targets.end())](grad_t<Loss> const& g) {
                            // softmax - onehot on this rank's columns, times g / N (g is (R, I): the same everywhere).
                            auto const softmax = e / spmd::reinterpret<"tp", I, V>(se);  // (V, V) [n, c]
                            auto const y = decltype(softmax){detail::onehot<Local>(n, c, targets, offset)};
                            auto const d =
                                (softmax - y) * (spmd::reinterpret<"tp", I, V>(g) * inv_n);  // (V, V) * (R, V)
                            logits.accumulate(autograd::as_grad<grad_t<L>>(d));              // this rank's S(1) columns
                          });
}

}  // namespace fused

/// The vocab-parallel cross entropy (see fused::cross_entropy): logits (V, S1) -> loss (P, I).
template <rank_context Rank, class L>
var<dp_tp_tensor<L, P, I>> vocab_parallel_cross_entropy(Rank& r, var<dp_tp_tensor<L, V, S<1>>> const& logits,
                                                        std::span<int const> targets, std::size_t global_tokens) {
  return fused::cross_entropy(r, logits, targets, global_tokens);
}

/// The global mean loss on every rank (for printing): all_reduce<"dp", I> of the P@dp loss.
template <rank_context Rank, class L>
typename L::value_type global_loss(Rank& r, var<dp_tp_tensor<L, P, I>> const& loss) {
  return spmd::all_reduce<"dp", I>(r, loss.value()).local().data()[0];
}

}  // namespace spmd::nn
