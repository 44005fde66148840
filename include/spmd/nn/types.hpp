// spmd/nn/types.hpp - the mesh and the typed tensors of the Megatron layers: every parameter and
// activation of spmd::nn has its placement on "dp" and "tp" in its type.
//
//   parameter / activation              [shape]              dp   tp
//   column-parallel weight              [in, out/tp]         R    S(1)
//   column-parallel bias                [1, out/tp]          R    S(1)
//   row-parallel weight                 [in/tp, out]         R    S(0)
//   vocab-parallel embedding table      [vocab/tp, hidden]   R    S(0)
//   layer norm weight/bias, row bias,   [1, hidden]          R    I
//   position table                      [seq, hidden]        R    I
//   activation between blocks, SP       [tokens/tp, hidden]  V    S(0)
//   activation between blocks, no SP    [tokens, hidden]     V    I
//   input of a column-parallel matmul   [tokens, in]         V    R
//   output of a column-parallel matmul  [tokens, out/tp]     V    S(1)
//   output of a row-parallel matmul     [tokens, out]        V    P
//   loss                                [1, 1]               P    I
//
// "tokens" are the flattened batch*sequence positions of one dp rank.
//
// The element parameter `T` of the layers and aliases below is either an element type (`float`,
// `double`: the local tensor is local::dense<T, 2>) or a 2-dim local tensor type of its own with
// row-major CPU data (e.g. spmd::torch_tensor<double, 2>): the fused kernels of the layers
// (layer norm, attention, embedding, cross entropy) read and write data() directly.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>
#include <spmd/autograd/tape.hpp>
#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/local/buffer.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/tensor.hpp>

namespace spmd::nn {

/// The mesh of the Megatron layers: data parallel x tensor parallel (sizes at run time; a serial
/// run is the 1 x 1 mesh of the same type).
using dp_tp = mesh<"dp", "tp">;

namespace detail {
template <class T>
struct local_of {
  static constexpr bool element = std::is_same_v<T, float> || std::is_same_v<T, double>;
  static_assert(element,
                "spmd: nn: the element parameter of a layer is float, double, or a 2-dim local tensor type "
                "with row-major data (spmd::row_major_tensor)");
  // After that error, a valid type: one diagnostic, not a second one from inside dense.
  using type = local::dense<std::conditional_t<element, T, double>, 2>;
};
template <class L>
  requires row_major_tensor<L>
struct local_of<L> {
  static_assert(spmd::local_ndim<L> == 2, "spmd: nn: the layers hold 2-dim local tensors ([tokens, features])");
  using type = L;
};
}  // namespace detail

/// The local tensor type of the layers for element parameter T: local::dense<T, 2> for float and
/// double, T itself for a 2-dim row-major local tensor type.
template <class T>
using local_of_t = typename detail::local_of<T>::type;
/// The element type of the layers' tensors for element parameter T (float or double).
template <class T>
using value_of_t = typename local_of_t<T>::value_type;

/// A 2-dim tensor of local type L on dp_tp, placed Dp on "dp" and Tp on "tp". The functions of
/// the layers take this form, in which L can be deduced.
template <class L, placement Dp, placement Tp>
using dp_tp_tensor = basic_tensor<L, dp_tp, layout<Dp, Tp>>;

/// A 2-dim tensor of element parameter T (see above) on dp_tp, placed Dp on "dp" and Tp on "tp".
template <class T, placement Dp, placement Tp>
using tensor2 = dp_tp_tensor<local_of_t<T>, Dp, Tp>;

/// Column-parallel weight [in, out/tp] and bias [1, out/tp].
template <class T>
using column_weight = tensor2<T, R, S<1>>;
/// Row-parallel weight [in/tp, out].
template <class T>
using row_weight = tensor2<T, R, S<0>>;
/// Vocab-parallel embedding table [vocab/tp, hidden].
template <class T>
using vocab_table = tensor2<T, R, S<0>>;
/// A parameter every tp rank holds whole and uses whole (layer norm weight and bias, the bias of
/// a row-parallel linear, the position table): R on dp (its gradient is P@dp), I on tp.
template <class T>
using replicated = tensor2<T, R, I>;

/// The placement of activations between blocks on "tp": S<0> (sequence parallel) or I.
template <bool SP>
using block_tp = std::conditional_t<SP, S<0>, I>;
/// An activation between blocks: [tokens/tp, hidden] V@dp S(0)@tp with sequence parallelism,
/// [tokens, hidden] V@dp I@tp without.
template <class T, bool SP>
using activation = tensor2<T, V, block_tp<SP>>;
/// The input of a column-parallel matmul: every tp rank holds all tokens, R@tp.
template <class T>
using gathered = tensor2<T, V, R>;
/// The output of a column-parallel matmul: this rank's columns (or heads), S(1)@tp.
template <class T>
using column_out = tensor2<T, V, S<1>>;
/// The output of a row-parallel matmul: a pending sum over tp.
template <class T>
using row_partial = tensor2<T, V, P>;
/// A loss: [1, 1], P@dp (the dp ranks' values sum to the global mean), I@tp.
template <class T>
using loss_tensor = tensor2<T, P, I>;

using autograd::parameter;
using autograd::tape;
using autograd::var;

/// The placement of tensor type X on "tp".
template <typed_tensor X>
using tp_placement_t = placement_on_t<X, "tp">;
/// The placement of tensor type X on "dp".
template <typed_tensor X>
using dp_placement_t = placement_on_t<X, "dp">;

/// True if X is sequence-parallel on tp (a shard of the tokens).
template <typed_tensor X>
inline constexpr bool is_sequence_parallel = shard_placement<tp_placement_t<X>>;

namespace detail {
template <class T>
inline constexpr bool is_activation = false;
template <class L, class Tp>
inline constexpr bool is_activation<basic_tensor<L, dp_tp, layout<V, Tp>>> =
    std::is_same_v<Tp, S<0>> || std::is_same_v<Tp, I>;
}  // namespace detail

/// An activation between blocks (V@dp; S(0)@tp or I@tp), of any element type.
template <class X>
concept block_activation = detail::is_activation<std::remove_cvref_t<X>>;

}  // namespace spmd::nn
