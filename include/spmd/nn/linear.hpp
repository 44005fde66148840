// spmd/nn/linear.hpp - Megatron's column- and row-parallel linear layers, with and without
// sequence parallelism (SP), as typed functions and as modules holding their parameters.
//
//   column-parallel:  x (V, S0|I) --all_gather<tp,R> | convert<tp,I,R>--> (V, R)
//                     @ w [in, out/tp] (R, S1)                          -> (V, S1)  (+ bias (R, S1))
//   row-parallel:     h (V, S1) @ w [in/tp, out] (R, S0), out_partial<tp> -> (V, P)
//                     --reduce_scatter<tp,0> | all_reduce<tp,I>-->          (V, S0|I) (+ bias (R, I))
//
// The collective on the way in and the one on the way out come in pairs: all_gather/reduce_scatter
// with SP (their backwards are reduce_scatter/all_gather), convert(I,R)/all_reduce(I) without
// (Megatron's "copy to" and "reduce from" regions: identity forward, all_reduce backward and vice
// versa). The types pick the pair: the placement of the input on "tp" says whether SP is on.
#pragma once

#include <cmath>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <spmd/autograd/collectives.hpp>
#include <spmd/autograd/ops.hpp>
#include <spmd/nn/init.hpp>
#include <spmd/nn/types.hpp>

namespace spmd::nn {

/// Megatron's entry into a column-parallel matmul: the block activation `x` becomes R on tp.
/// With SP (S(0)@tp) an all_gather<"tp", R> (backward: reduce_scatter); without (I@tp) a
/// convert<"tp", I, R> (identity; backward: all_reduce).
template <rank_context Rank, block_activation X>
auto enter_column_parallel(Rank& r, var<X> const& x) {
  if constexpr (is_sequence_parallel<X>)
    return autograd::all_gather<"tp", R>(r, x);
  else
    return autograd::convert<"tp", I, R>(r, x);
}

/// Megatron's exit from a row-parallel matmul: the pending sum over tp becomes a block
/// activation. With SP a reduce_scatter<"tp", 0> (backward: all_gather), without an
/// all_reduce<"tp", I> (backward: identity).
template <bool SP, rank_context Rank, class L>
var<dp_tp_tensor<L, V, block_tp<SP>>> leave_row_parallel(Rank& r, var<dp_tp_tensor<L, V, P>> const& y) {
  if constexpr (SP)
    return autograd::reduce_scatter<"tp", 0>(r, y);
  else
    return autograd::all_reduce<"tp", I>(r, y);
}

/// A replicated parameter (R@dp, I@tp) as an operand next to an activation of type X: as it is
/// when X is I on tp; convert<"tp", I, R> when X varies on tp (SP), so that its gradient, P@tp
/// there, is all-reduced back to I in the backward of the convert.
template <block_activation X, rank_context Rank, class L>
auto replicated_operand(Rank& r, var<dp_tp_tensor<L, R, I>> const& p) {
  if constexpr (std::is_same_v<tp_placement_t<X>, I>)
    return p;
  else
    return autograd::convert<"tp", I, R>(r, p);
}

/// The column-parallel matmul: x (V, S(0)|I) -> (V, R) -> x @ w (V, S(1)): this rank's columns.
template <rank_context Rank, block_activation X, class L>
var<dp_tp_tensor<L, V, S<1>>> column_parallel(Rank& r, var<X> const& x, var<dp_tp_tensor<L, R, S<1>>> const& w) {
  return autograd::matmul(enter_column_parallel(r, x), w);
}

/// The row-parallel matmul: h (V, S(1)) @ w (R, S(0)) is a pending sum over tp (out_partial), then
/// reduce_scatter (SP: S(0)@tp) or all_reduce (no SP: I@tp).
template <bool SP, rank_context Rank, class L>
var<dp_tp_tensor<L, V, block_tp<SP>>> row_parallel(Rank& r, var<dp_tp_tensor<L, V, S<1>>> const& h,
                                                   var<dp_tp_tensor<L, R, S<0>>> const& w) {
  return leave_row_parallel<SP>(r, autograd::matmul(h, w, out_partial<"tp">));
}

/// Standard deviation of the default initialisation of a weight with `fan_in` inputs.
inline double default_weight_std(std::size_t fan_in) {
  return 1.0 / std::sqrt(static_cast<double>(fan_in));
}

/// A column-parallel linear layer y = x @ w (+ b) with w [in, out/tp] (R, S(1)) and an optional
/// bias b [1, out/tp] (R, S(1)). Input: a block activation; output: (V, S(1)), this rank's out/tp
/// columns.
template <class T>
struct column_parallel_linear {
  parameter<column_weight<T>> weight;
  std::optional<parameter<column_weight<T>>> bias;

  /// Whole weight N(0, stddev^2) and (if `with_bias`) zero bias from `init`, sharded over tp by
  /// columns.
  template <rank_context Rank>
  static column_parallel_linear make(Rank& r, initializer& init, std::size_t in, std::size_t out, double stddev,
                                     bool with_bias = true) {
    auto w = make_tp_sharded<1>(r, init.normal<T>(in, out, stddev));
    std::optional<parameter<column_weight<T>>> b;
    if (with_bias) b.emplace(make_tp_sharded<1>(r, init.constant<T>(1, out, 0.0)));
    return {std::move(w), std::move(b)};
  }

  template <rank_context Rank, block_activation X>
  var<column_out<T>> forward(Rank& r, tape& t, var<X> const& x) const {
    auto y = column_parallel(r, x, weight.on(t));
    if (bias) return y + bias->on(t);
    return y;
  }

  template <class F>
  void for_each_parameter(F&& f) {
    f(weight);
    if (bias) f(*bias);
  }
};

/// A row-parallel linear layer y = h @ w + b with w [in/tp, out] (R, S(0)) and b [1, out]
/// (R, I). Input: (V, S(1)); output: a block activation (S(0)@tp with SP, I@tp without). The bias
/// is added after the reduction, once.
template <class T>
struct row_parallel_linear {
  parameter<row_weight<T>> weight;
  parameter<replicated<T>> bias;

  /// Whole weight N(0, stddev^2) and zero bias from `init`; the weight sharded over tp by rows.
  template <rank_context Rank>
  static row_parallel_linear make(Rank& r, initializer& init, std::size_t in, std::size_t out, double stddev) {
    auto w = make_tp_sharded<0>(r, init.normal<T>(in, out, stddev));
    auto b = make_replicated<T>(init.constant<T>(1, out, 0.0));
    return {std::move(w), std::move(b)};
  }

  template <bool SP, rank_context Rank>
  var<activation<T, SP>> forward(Rank& r, tape& t, var<column_out<T>> const& h) const {
    auto y = row_parallel<SP>(r, h, weight.on(t));
    return y + replicated_operand<activation<T, SP>>(r, bias.on(t));
  }

  template <class F>
  void for_each_parameter(F&& f) {
    f(weight);
    f(bias);
  }
};

}  // namespace spmd::nn
