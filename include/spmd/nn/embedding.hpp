// spmd/nn/embedding.hpp - the vocab-parallel token embedding (plus a learned position table).
//
// The table [vocab, hidden] is sharded by rows over tp: (R, S0), rank k holding the ids
// [k vocab/tp, (k + 1) vocab/tp). Each rank looks up the ids in its range and writes zeros for the
// others: that is onehot(ids) @ table with the one-hot columns sharded like the table's rows, a
// contraction over the sharded dim, so the result is a pending sum over tp, (V, P). It is then
// reduce-scattered over the tokens (SP, (V, S0)) or all-reduced ((V, I)).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>
#include <spmd/autograd/apply.hpp>
#include <spmd/autograd/as_grad.hpp>
#include <spmd/autograd/collectives.hpp>
#include <spmd/autograd/ops.hpp>
#include <spmd/autograd/tape.hpp>
#include <spmd/nn/init.hpp>
#include <spmd/nn/linear.hpp>
#include <spmd/nn/types.hpp>
#include <spmd/ops/define.hpp>
#include <spmd/ops/matmul.hpp>
#include <spmd/ops/reduce.hpp>
#include <spmd/ops/view.hpp>
#include <spmd/rules/dim_maps.hpp>

namespace spmd::nn {

namespace fused {

/// The (never materialised) one-hot matrix of the ids, [tokens, vocab/tp]: the ids vary over dp,
/// and each tp rank holds the columns of its vocab range, S(1)@tp.
template <class L>
using onehot_t = dp_tp_tensor<L, V, S<1>>;

/// The type of embedding_lookup(table, ids): that of matmul(onehot(ids), table, out_partial<"tp">).
template <typed_tensor Table>
using embedding_lookup_t = decltype(spmd::matmul(std::declval<onehot_t<typename Table::local_type>>(),
                                                 std::declval<Table>(), out_partial<"tp">));

/// out[t] = table[ids[t] - offset] for the ids in [offset, offset + rows of table), zeros for the
/// others, where offset = coord("tp") * rows: rank k holds rows [k rows, (k + 1) rows) of the
/// whole table. The result is a pending sum over tp (typed as onehot(ids) @ table with
/// out_partial<"tp">); backward: the table's gradient is onehot(ids)^T @ g, a scatter-add of g's
/// rows into this rank's rows, typed as that product and checked by as_grad.
template <rank_context Rank, typed_tensor Table>
var<embedding_lookup_t<Table>> embedding_lookup(Rank& r, var<Table> const& table, std::span<int const> ids) {
  static_assert(Table::ndim == 2, "spmd: nn::fused::embedding_lookup takes a table [vocab/tp, hidden]");
  using Out = embedding_lookup_t<Table>;
  using T = typename Table::value_type;
  using Local = typename Table::local_type;
  using G = grad_t<Out>;
  // The gradient of the table, typed as onehot^T @ g.
  using TableGrad = decltype(spmd::matmul(spmd::transpose<0, 1>(std::declval<onehot_t<Local>>()), std::declval<G>()));
  auto const& tl = table.value().local();
  std::size_t const rows = tl.shape()[0], h = tl.shape()[1];
  long const offset = static_cast<long>(r.coord("tp") * rows);
  Local out({ids.size(), h}, T{0});
  T* o = out.data();
  for (std::size_t t = 0; t < ids.size(); ++t) {
    long const k = static_cast<long>(ids[t]) - offset;
    if (k >= 0 && k < static_cast<long>(rows)) std::copy_n(tl.data() + static_cast<std::size_t>(k) * h, h, o + t * h);
  }
  return autograd::record(autograd::tape_of(table), Out{std::move(out)}, table.requires_grad(),
                          [table, offset, rows, h, ids = std::vector<int>(ids.begin(), ids.end())](G const& g) {
                            Local dt({rows, h}, T{0});
                            T* const base = dt.data();
                            for (std::size_t t = 0; t < ids.size(); ++t) {
                              long const k = static_cast<long>(ids[t]) - offset;
                              if (k < 0 || k >= static_cast<long>(rows)) continue;
                              T* dst = base + static_cast<std::size_t>(k) * h;
                              T const* src = g.local().data() + t * h;
                              for (std::size_t j = 0; j < h; ++j) dst[j] += src[j];
                            }
                            table.accumulate(autograd::as_grad<grad_t<Table>>(TableGrad{std::move(dt)}));
                          });
}

/// The definition of tile_rows (docs/ops.md): a local op that copies rows, so the rule of a
/// linear op with concat's dim map types it, and op_fn records its backward.
namespace op {
struct tile_rows {
  static constexpr std::string_view name = "tile_rows";
  static constexpr auto linearity = spmd::linearity::linear;
  using dims = rules::concat_dims<0>;
  template <class X, class... Attrs>
  static consteval bool check() {
    static_assert(X::ndim == 2, "spmd: nn::fused::tile_rows takes a 2-dim tensor");
    return X::ndim == 2;
  }
  template <class L>
  static auto kernel(L const& x, std::size_t n) {
    std::size_t const rows = x.shape()[0], cols = x.shape()[1];
    L out({n * rows, cols});
    for (std::size_t i = 0; i < n; ++i) std::copy_n(x.data(), rows * cols, out.data() + i * rows * cols);
    return out;
  }
  /// The sum of the n row blocks of g (reshape, sum over the copies, reshape back).
  template <std::size_t>
  static auto backward(auto const& g, auto const& /*y*/, auto const& x, std::size_t n) {
    std::size_t const rows = x.local().shape()[0], cols = x.local().shape()[1];
    auto blocks = spmd::reshape(g, std::array<std::size_t, 2>{n, rows * cols});
    return spmd::reshape(spmd::sum<0>(blocks), std::array<std::size_t, 2>{rows, cols});
  }
};
}  // namespace op

/// The type of tile_rows(x, n): the rule of a linear op with concat's dim map along dim 0.
template <typed_tensor X>
using tile_rows_t = decltype(spmd::apply<op::tile_rows>(std::declval<X const&>(), std::size_t{}));

/// x [rows, cols] repeated n times along dim 0: [n rows, cols] (linear, like concat). Backward:
/// the sum of the n row blocks of the gradient, checked against grad_t of x.
template <typed_tensor X>
var<tile_rows_t<X>> tile_rows(var<X> const& x, std::size_t n) {
  return op_fn<op::tile_rows>{}(x, n);
}

}  // namespace fused

/// Token embedding, vocab-parallel ([vocab, hidden] whole, (R, S0) sharded: vocab must divide by
/// the tp size), plus a learned position table [seq, hidden] (R, I). Output: a block activation,
/// (V, S0) with SP (the lookup's pending sum is reduce-scattered over the tokens; the position
/// rows are split to match with convert<"tp", I, S<0>>), (V, I) without.
template <class T>
struct vocab_parallel_embedding {
  parameter<vocab_table<T>> tokens;
  parameter<replicated<T>> positions;

  template <rank_context Rank>
  static vocab_parallel_embedding make(Rank& r, initializer& init, std::size_t vocab, std::size_t hidden,
                                       std::size_t seq, double stddev) {
    if (vocab % r.axis_size("tp") != 0)
      throw std::invalid_argument("spmd: nn::vocab_parallel_embedding: the vocabulary size " + std::to_string(vocab) +
                                  " does not divide by the tp size " + std::to_string(r.axis_size("tp")));
    auto tok = make_tp_sharded<0>(r, init.normal<T>(vocab, hidden, stddev));
    auto pos = make_replicated<T>(init.normal<T>(seq, hidden, stddev));
    return {std::move(tok), std::move(pos)};
  }

  /// The embeddings of `ids` (this dp rank's tokens: whole sequences of the position table's
  /// length, sequence-major), with SP or without.
  template <bool SP, rank_context Rank>
  var<activation<T, SP>> forward(Rank& r, tape& t, std::span<int const> ids) const {
    std::size_t const seq = positions.value().local().shape()[0];
    if (ids.size() % seq != 0)
      throw std::invalid_argument("spmd: nn::vocab_parallel_embedding: " + std::to_string(ids.size()) +
                                  " ids are not whole sequences of " + std::to_string(seq));
    auto e = leave_row_parallel<SP>(r, fused::embedding_lookup(r, tokens.on(t), ids));
    auto p = fused::tile_rows(positions.on(t), ids.size() / seq);  // (R, I) [tokens, hidden]
    if constexpr (SP)
      return e + autograd::convert<"tp", I, S<0>>(r, p);  // this rank's rows, like the reduce_scatter
    else
      return e + p;
  }

  template <class F>
  void for_each_parameter(F&& f) {
    f(tokens);
    f(positions);
  }
};

}  // namespace spmd::nn
