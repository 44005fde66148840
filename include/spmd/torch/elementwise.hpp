// spmd/torch/elementwise.hpp - elementwise kernels of torch_tensor on ATen: unary ops, binary ops
// (tensors with broadcasting between equal numbers of dims, or a tensor and a number), maximum, minimum, where,
// dropout, and the backward kernels of the pointwise ops.
//
// Each kernel has local::dense's semantics (docs/local_tensors.md): where ATen differs at the
// edges (relu, maximum and minimum of a NaN; the sign of a dropped zero) the kernel is written
// with at::where so that both local types give the same values.
#pragma once

#include <spmd/local/dropout_mask.hpp>
#include <spmd/torch/detail/support.hpp>
#include <spmd/torch/tensor.hpp>

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace spmd::aten {

// ---- unary -----------------------------------------------------------------------------

/// Elementwise negation.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> neg(torch_tensor<T, Ndim> const& x) {
  return detail::wrap<T, Ndim>(::at::neg(x.aten()));
}

/// Elementwise e^x.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> exp(torch_tensor<T, Ndim> const& x) {
  return detail::wrap<T, Ndim>(::at::exp(x.aten()));
}

/// Elementwise natural logarithm.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> log(torch_tensor<T, Ndim> const& x) {
  return detail::wrap<T, Ndim>(::at::log(x.aten()));
}

/// Elementwise hyperbolic tangent.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> tanh(torch_tensor<T, Ndim> const& x) {
  return detail::wrap<T, Ndim>(::at::tanh(x.aten()));
}

/// Elementwise max(x, 0); 0 at a NaN, as local::dense (at::relu would keep the NaN).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> relu(torch_tensor<T, Ndim> const& x) {
  return detail::wrap<T, Ndim>(::at::where(x.aten().gt(0), x.aten(), ::at::Scalar(0.0)));
}

/// Elementwise GELU, tanh approximation (as local::dense and GPT-2):
/// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> gelu(torch_tensor<T, Ndim> const& x) {
  return detail::wrap<T, Ndim>(::at::gelu(x.aten(), "tanh"));
}

/// Elementwise square root.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> sqrt(torch_tensor<T, Ndim> const& x) {
  return detail::wrap<T, Ndim>(::at::sqrt(x.aten()));
}

/// Elementwise |x|.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> abs(torch_tensor<T, Ndim> const& x) {
  return detail::wrap<T, Ndim>(::at::abs(x.aten()));
}

/// Elementwise 1 / sqrt(x).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> rsqrt(torch_tensor<T, Ndim> const& x) {
  return detail::wrap<T, Ndim>(::at::rsqrt(x.aten()));
}

/// Elementwise x^p.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> pow(torch_tensor<T, Ndim> const& x, std::type_identity_t<T> p) {
  return detail::wrap<T, Ndim>(::at::pow(x.aten(), ::at::Scalar(p)));
}

/// Elementwise min(max(x, lo), hi).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> clamp(torch_tensor<T, Ndim> const& x, std::type_identity_t<T> lo,
                                          std::type_identity_t<T> hi) {
  if (!(lo <= hi)) detail::fail("clamp", "the lower bound is above the upper bound");
  return detail::wrap<T, Ndim>(::at::clamp(x.aten(), ::at::Scalar(lo), ::at::Scalar(hi)));
}

/// x * mask / (1 - p): element i is kept when dropout_uniform(key, i) (local/dropout_mask.hpp) is
/// at least p, as for local::dense, so the two local types drop the same elements; the mask is
/// drawn on the CPU and moved to x's device.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> dropout(torch_tensor<T, Ndim> const& x, double p, std::uint64_t key) {
  if (!(p >= 0.0 && p < 1.0)) detail::fail("dropout", "p must be in [0, 1)");
  T const scale = static_cast<T>(1.0 / (1.0 - p));
  ::at::Tensor keep = ::at::empty(x.aten().sizes(), ::at::TensorOptions().dtype(::at::kBool));
  bool* k = keep.data_ptr<bool>();
  for (std::size_t i = 0, n = x.size(); i < n; ++i) {
    k[i] = !(local::dropout_uniform(key, i) < p);
  }
  return detail::wrap<T, Ndim>(
      ::at::where(keep.to(x.device(), ::at::kBool), ::at::mul(x.aten(), ::at::Scalar(scale)), ::at::Scalar(0.0)));
}

// ---- binary ----------------------------------------------------------------------------
// Tensor operands broadcast extents of 1 between equal numbers of dims (checked here, so that ATen's wider
// broadcasting never applies) and must share a device. The number is std::type_identity_t<T> so
// that `add(x, 2.0)` works for float x.

/// Elementwise a + b with broadcasting between equal numbers of dims of extents equal to 1.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> add(torch_tensor<T, Ndim> const& a, torch_tensor<T, Ndim> const& b) {
  detail::check_binary("add", a, b);
  return detail::wrap<T, Ndim>(::at::add(a.aten(), b.aten()));
}
/// Elementwise a + s.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> add(torch_tensor<T, Ndim> const& a, std::type_identity_t<T> s) {
  return detail::wrap<T, Ndim>(::at::add(a.aten(), ::at::Scalar(s)));
}
/// Elementwise s + b.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> add(std::type_identity_t<T> s, torch_tensor<T, Ndim> const& b) {
  return detail::wrap<T, Ndim>(::at::add(b.aten(), ::at::Scalar(s)));
}

/// Elementwise a - b with broadcasting between equal numbers of dims of extents equal to 1.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> sub(torch_tensor<T, Ndim> const& a, torch_tensor<T, Ndim> const& b) {
  detail::check_binary("sub", a, b);
  return detail::wrap<T, Ndim>(::at::sub(a.aten(), b.aten()));
}
/// Elementwise a - s.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> sub(torch_tensor<T, Ndim> const& a, std::type_identity_t<T> s) {
  return detail::wrap<T, Ndim>(::at::sub(a.aten(), ::at::Scalar(s)));
}
/// Elementwise s - b.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> sub(std::type_identity_t<T> s, torch_tensor<T, Ndim> const& b) {
  return detail::wrap<T, Ndim>(::at::rsub(b.aten(), ::at::Scalar(s)));
}

/// Elementwise a * b with broadcasting between equal numbers of dims of extents equal to 1.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> mul(torch_tensor<T, Ndim> const& a, torch_tensor<T, Ndim> const& b) {
  detail::check_binary("mul", a, b);
  return detail::wrap<T, Ndim>(::at::mul(a.aten(), b.aten()));
}
/// Elementwise a * s.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> mul(torch_tensor<T, Ndim> const& a, std::type_identity_t<T> s) {
  return detail::wrap<T, Ndim>(::at::mul(a.aten(), ::at::Scalar(s)));
}
/// Elementwise s * b.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> mul(std::type_identity_t<T> s, torch_tensor<T, Ndim> const& b) {
  return detail::wrap<T, Ndim>(::at::mul(b.aten(), ::at::Scalar(s)));
}

/// Elementwise a / b with broadcasting between equal numbers of dims of extents equal to 1.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> div(torch_tensor<T, Ndim> const& a, torch_tensor<T, Ndim> const& b) {
  detail::check_binary("div", a, b);
  return detail::wrap<T, Ndim>(::at::div(a.aten(), b.aten()));
}
/// Elementwise a / s.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> div(torch_tensor<T, Ndim> const& a, std::type_identity_t<T> s) {
  return detail::wrap<T, Ndim>(::at::div(a.aten(), ::at::Scalar(s)));
}
/// Elementwise s / b (s as a 0-dim tensor of b's dtype and device, so the quotient is exact).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> div(std::type_identity_t<T> s, torch_tensor<T, Ndim> const& b) {
  return detail::wrap<T, Ndim>(::at::div(::at::scalar_tensor(::at::Scalar(s), b.aten().options()), b.aten()));
}

/// Elementwise max(a, b) with broadcasting between equal numbers of dims; a number on either side. `a < b ? b : a`,
/// as local::dense (a NaN in b gives a).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> maximum(torch_tensor<T, Ndim> const& a, torch_tensor<T, Ndim> const& b) {
  detail::check_binary("maximum", a, b);
  return detail::wrap<T, Ndim>(::at::where(a.aten().lt(b.aten()), b.aten(), a.aten()));
}
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> maximum(torch_tensor<T, Ndim> const& a, std::type_identity_t<T> s) {
  return detail::wrap<T, Ndim>(::at::where(a.aten().lt(::at::Scalar(s)), ::at::Scalar(s), a.aten()));
}
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> maximum(std::type_identity_t<T> s, torch_tensor<T, Ndim> const& b) {
  return maximum(b, s);
}

/// Elementwise min(a, b) with broadcasting between equal numbers of dims; a number on either side. `b < a ? b : a`,
/// as local::dense.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> minimum(torch_tensor<T, Ndim> const& a, torch_tensor<T, Ndim> const& b) {
  detail::check_binary("minimum", a, b);
  return detail::wrap<T, Ndim>(::at::where(b.aten().lt(a.aten()), b.aten(), a.aten()));
}
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> minimum(torch_tensor<T, Ndim> const& a, std::type_identity_t<T> s) {
  return detail::wrap<T, Ndim>(::at::where(a.aten().gt(::at::Scalar(s)), ::at::Scalar(s), a.aten()));
}
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> minimum(std::type_identity_t<T> s, torch_tensor<T, Ndim> const& b) {
  return minimum(b, s);
}

namespace detail {
/// The shape an operand of `where` broadcasts from: its own, or all 1 for a number.
template <class T, std::size_t Ndim>
[[nodiscard]] std::array<std::size_t, Ndim> where_shape(torch_tensor<T, Ndim> const& x) {
  return x.shape();
}
template <class T, std::size_t Ndim>
[[nodiscard]] std::array<std::size_t, Ndim> where_shape(T const&) {
  std::array<std::size_t, Ndim> s{};
  s.fill(1);
  return s;
}
/// An operand of `where` as ATen takes it: the tensor, or the number as a Scalar.
template <class T, std::size_t Ndim>
[[nodiscard]] ::at::Tensor const& where_arg(torch_tensor<T, Ndim> const& x) {
  return x.aten();
}
template <class T, std::size_t Ndim>
[[nodiscard]] ::at::Scalar where_arg(T const& s) {
  return ::at::Scalar(s);
}

template <class T, std::size_t Ndim, class A, class B>
[[nodiscard]] torch_tensor<T, Ndim> where_impl(torch_tensor<T, Ndim> const& mask, A const& a, B const& b) {
  (void)broadcast_shape("where", mask.shape(),
                        broadcast_shape("where", where_shape<T, Ndim>(a), where_shape<T, Ndim>(b)));
  if constexpr (std::is_same_v<A, torch_tensor<T, Ndim>>) check_device("where", mask.aten(), a.aten());
  if constexpr (std::is_same_v<B, torch_tensor<T, Ndim>>) check_device("where", mask.aten(), b.aten());
  return wrap<T, Ndim>(::at::where(mask.aten().ne(0), where_arg<T, Ndim>(a), where_arg<T, Ndim>(b)));
}
}  // namespace detail

/// Elementwise `mask != 0 ? a : b`, with broadcasting between equal numbers of dims of all three; a or b may be a
/// number. The mask has the element type of a and b (1 and 0).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> where(torch_tensor<T, Ndim> const& mask, torch_tensor<T, Ndim> const& a,
                                          torch_tensor<T, Ndim> const& b) {
  return detail::where_impl(mask, a, b);
}
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> where(torch_tensor<T, Ndim> const& mask, torch_tensor<T, Ndim> const& a,
                                          std::type_identity_t<T> b) {
  return detail::where_impl(mask, a, b);
}
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> where(torch_tensor<T, Ndim> const& mask, std::type_identity_t<T> a,
                                          torch_tensor<T, Ndim> const& b) {
  return detail::where_impl(mask, a, b);
}

// ---- backward kernels of the pointwise ops ------------------------------------------------

/// g * gelu'(x) for the tanh approximation of GELU.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> gelu_backward(torch_tensor<T, Ndim> const& x, torch_tensor<T, Ndim> const& g) {
  detail::check_same_shape("gelu_backward", x.shape(), g.shape());
  detail::check_device("gelu_backward", x.aten(), g.aten());
  return detail::wrap<T, Ndim>(::at::gelu_backward(g.aten(), x.aten(), "tanh"));
}

/// g where x > 0, else 0.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> relu_backward(torch_tensor<T, Ndim> const& x, torch_tensor<T, Ndim> const& g) {
  detail::check_same_shape("relu_backward", x.shape(), g.shape());
  detail::check_device("relu_backward", x.aten(), g.aten());
  return detail::wrap<T, Ndim>(::at::where(x.aten().gt(0), g.aten(), ::at::Scalar(0.0)));
}

/// g * sign(x) (0 where x is 0 or NaN): the gradient through |x|.
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> abs_backward(torch_tensor<T, Ndim> const& x, torch_tensor<T, Ndim> const& g) {
  detail::check_same_shape("abs_backward", x.shape(), g.shape());
  detail::check_device("abs_backward", x.aten(), g.aten());
  ::at::Tensor const sign = x.aten().gt(0).to(x.aten().scalar_type()) - x.aten().lt(0).to(x.aten().scalar_type());
  return detail::wrap<T, Ndim>(::at::mul(g.aten(), sign));
}

/// g where lo <= x <= hi, else 0: the gradient through clamp(x, lo, hi).
template <class T, std::size_t Ndim>
[[nodiscard]] torch_tensor<T, Ndim> clamp_backward(torch_tensor<T, Ndim> const& x, torch_tensor<T, Ndim> const& g,
                                                   std::type_identity_t<T> lo, std::type_identity_t<T> hi) {
  detail::check_same_shape("clamp_backward", x.shape(), g.shape());
  detail::check_device("clamp_backward", x.aten(), g.aten());
  ::at::Tensor const inside = ::at::logical_and(x.aten().ge(::at::Scalar(lo)), x.aten().le(::at::Scalar(hi)));
  return detail::wrap<T, Ndim>(::at::where(inside, g.aten(), ::at::Scalar(0.0)));
}

namespace detail {
/// A tensor operand of extremum_backward, which must broadcast to the gradient's shape.
template <class T, std::size_t Ndim>
[[nodiscard]] ::at::Tensor const& extremum_arg(torch_tensor<T, Ndim> const& x, torch_tensor<T, Ndim> const& g) {
  for (std::size_t d = 0; d < Ndim; ++d)
    if (x.shape()[d] != g.shape()[d] && x.shape()[d] != 1)
      fail("extremum_backward", "an operand does not broadcast to the gradient's shape");
  check_device("extremum_backward", x.aten(), g.aten());
  return x.aten();
}
}  // namespace detail

/// The share of g (of the result's shape) that max(a, b) (`larger` true) or min(a, b) (false)
/// passes to a: all of it where a wins, none where it loses, half at a tie. a and b broadcast to
/// g's shape; b may be a number.
template <class T, std::size_t Ndim, class B>
  requires std::is_same_v<B, torch_tensor<T, Ndim>> || std::is_convertible_v<B const&, T>
[[nodiscard]] torch_tensor<T, Ndim> extremum_backward(torch_tensor<T, Ndim> const& g, torch_tensor<T, Ndim> const& a,
                                                      B const& b, bool larger) {
  ::at::Tensor const& ta = detail::extremum_arg<T, Ndim>(a, g);
  ::at::Tensor const tie = [&] {
    if constexpr (std::is_same_v<B, torch_tensor<T, Ndim>>)
      return ta.eq(detail::extremum_arg<T, Ndim>(b, g));
    else
      return ta.eq(::at::Scalar(static_cast<T>(b)));
  }();
  ::at::Tensor const above = [&] {
    if constexpr (std::is_same_v<B, torch_tensor<T, Ndim>>)
      return ta.gt(b.aten());
    else
      return ta.gt(::at::Scalar(static_cast<T>(b)));
  }();
  ::at::Tensor const wins = larger ? above : above.logical_not();
  ::at::Tensor const kept = ::at::where(wins, g.aten(), ::at::Scalar(0.0));
  return detail::wrap<T, Ndim>(::at::where(tie, ::at::mul(g.aten(), ::at::Scalar(0.5)), kept));
}

}  // namespace spmd::aten
