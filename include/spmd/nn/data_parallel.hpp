// spmd/nn/data_parallel.hpp - data-parallel gradient synchronisation and the optimizer step.
//
// Two variants, both typed end to end:
//  - all_reduce_step: all_reduce<"dp", R> of the P@dp gradient, then the step on the whole
//    parameter, on every dp rank (the optimizer state is replicated over dp).
//  - zero_step (ZeRO-1): the gradient, flattened, is reduce-scattered over dp (S(0)@dp); the
//    parameter, flattened, is split the same way (convert<"dp", R, S<0>>); the optimizer updates
//    only this rank's shard (so its state is 1/dp of the parameter); the updated shards are
//    all-gathered into the parameter's own buffer (all_gather_into<"dp">, R@dp) and reshaped back
//    to the parameter's type.
// In both the step receives a gradient of exactly the type of what it updates; skipping the dp
// reduction does not compile.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>
#include <spmd/autograd/tape.hpp>
#include <spmd/comm/collectives.hpp>
#include <spmd/comm/convert.hpp>
#include <spmd/nn/optimizer.hpp>
#include <spmd/nn/types.hpp>
#include <spmd/ops/view.hpp>
#include <spmd/runtime/communicator.hpp>

namespace spmd::nn {

/// Takes the gradient of `p` (P@dp) and all-reduces it over dp: the result has p's type.
template <rank_context Rank, typed_tensor T>
auto all_reduce_grad(Rank& r, parameter<T>& p) {
  return spmd::all_reduce<"dp", R>(r, p.take_grad());
}

/// The step of `p` with its dp-all-reduced gradient (nothing if p has no gradient).
template <rank_context Rank, class Optimizer, typed_tensor T>
void all_reduce_step(Rank& r, Optimizer& opt, parameter<T>& p) {
  if (!p.has_grad()) return;
  opt.step(p, all_reduce_grad(r, p));
}

/// Extents of `n` elements split over `parts` ranks as evenly as possible (the first n % parts
/// get one more).
inline std::vector<std::size_t> even_split(std::size_t n, std::size_t parts) {
  std::vector<std::size_t> sizes(parts, n / parts);
  for (std::size_t i = 0; i < n % parts; ++i) ++sizes[i];
  return sizes;
}

namespace detail {
/// `x`, the reshaped parameter (V where the parameter is S(d) on tp), as the parameter's type.
template <typed_tensor T, rank_context Rank, typed_tensor X>
T restore_shard_annotation(Rank& r, X&& x) {
  using Tp = tp_placement_t<T>;
  if constexpr (shard_placement<Tp> && !std::is_same_v<tp_placement_t<std::remove_cvref_t<X>>, Tp>)
    return spmd::convert<"tp", V, Tp>(r, std::forward<X>(x));
  else
    return std::forward<X>(x);
}
}  // namespace detail

/// ZeRO-1 step of `p`: reduce-scatter its (flattened) gradient over dp, update this rank's shard
/// of the (flattened) parameter with `opt` (whose state therefore only covers the shard), and
/// all-gather the updated parameter into its own buffer. Uneven splits are fine.
template <rank_context Rank, class Optimizer, typed_tensor T>
void zero_step(Rank& r, Optimizer& opt, parameter<T>& p) {
  if (!p.has_grad()) return;
  auto const shape = p.value().local().shape();
  std::size_t n = 1;
  for (auto e : shape) n *= e;
  bool const decay = is_matrix_shape(shape);
  std::vector<std::size_t> const sizes = even_split(n, r.axis_size("dp"));
  std::array<std::size_t, 1> const flat{n};
  auto grad = spmd::reduce_scatter<"dp", 0>(r, spmd::reshape(p.take_grad(), flat), sizes);  // S(0)@dp
  auto shard = spmd::convert<"dp", R, S<0>>(r, spmd::reshape(p.value(), flat), sizes);      // S(0)@dp
  opt.update(shard, grad, &p.value(), decay);                                               // same type
  auto whole = spmd::reshape(std::move(p.value()), flat);  // R@dp: the parameter's own buffer, refilled
  spmd::all_gather_into<"dp">(r, shard, whole, sizes);
  p.value() = detail::restore_shard_annotation<T>(r, spmd::reshape(std::move(whole), shape));
}

/// How the gradients of a data-parallel step are synchronised.
enum class dp_sync {
  all_reduce,  ///< all_reduce over dp, replicated optimizer state
  zero,        ///< reduce_scatter over dp, optimizer state sharded over dp, all_gather (ZeRO-1)
};

/// The optimizer step of every parameter of `model` (anything with for_each_parameter).
template <rank_context Rank, class Optimizer, class Model>
void step(Rank& r, Optimizer& opt, Model& model, dp_sync sync = dp_sync::all_reduce) {
  model.for_each_parameter([&](auto& p) {
    if (sync == dp_sync::zero)
      zero_step(r, opt, p);
    else
      all_reduce_step(r, opt, p);
  });
}

}  // namespace spmd::nn
