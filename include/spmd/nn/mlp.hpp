// spmd/nn/mlp.hpp - the GELU MLP of a transformer block: column-parallel -> gelu -> row-parallel.
//
//   x (V, S0|I) -> column-parallel [hidden, ffn/tp] (R, S1) -> (V, S1) -> gelu (V, S1)
//               -> row-parallel [ffn/tp, hidden] (R, S0) -> (V, P) -> reduce_scatter | all_reduce
//               -> (V, S0|I)
// gelu acts on this rank's ffn/tp columns only: no communication between the two matmuls.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <spmd/autograd/ops.hpp>
#include <spmd/nn/init.hpp>
#include <spmd/nn/linear.hpp>
#include <spmd/nn/types.hpp>

namespace spmd::nn {

/// y = gelu(x @ w1 + b1) @ w2 + b2, w1 column-parallel and w2 row-parallel over tp.
template <class T>
struct mlp {
  column_parallel_linear<T> fc;
  row_parallel_linear<T> proj;

  /// `ffn` (the inner width) must divide by the tp size.
  template <rank_context Rank>
  static mlp make(Rank& r, initializer& init, std::size_t hidden, std::size_t ffn, double out_std) {
    if (ffn % r.axis_size("tp") != 0)
      throw std::invalid_argument("spmd: nn::mlp: the inner width " + std::to_string(ffn) +
                                  " does not divide by the tp size " + std::to_string(r.axis_size("tp")));
    auto fc = column_parallel_linear<T>::make(r, init, hidden, ffn, default_weight_std(hidden));
    auto proj = row_parallel_linear<T>::make(r, init, ffn, hidden, out_std);
    return {std::move(fc), std::move(proj)};
  }

  template <rank_context Rank, block_activation X>
  var<X> forward(Rank& r, tape& t, var<X> const& x) const {
    return proj.template forward<is_sequence_parallel<X>>(r, t, autograd::gelu(fc.forward(r, t, x)));
  }

  template <class F>
  void for_each_parameter(F&& f) {
    fc.for_each_parameter(f);
    proj.for_each_parameter(f);
  }
};

}  // namespace spmd::nn
