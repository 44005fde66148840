// benchmarks/checked_layer.hpp - a minimal run-time-checked sharding layer over spmd's local
// kernels: what a user would write instead of types (layouts as values, as DTensor's placements
// are). Every tensor carries its placement on each mesh axis; every op runs the placement rule of
// each axis (pending sums, invariants, shards of the contracted dim) before its kernel and throws
// on a mistake. It is written to be cheap (placements in a fixed array, no allocation, one switch
// per axis): a fair lower bound of such a layer's cost, not a straw man. Used by
// cases.hpp and callgrind/megatron_block.cpp.
#pragma once

#include <spmd/local/dense.hpp>
#include <spmd/local/kernels.hpp>

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace bench::checked {

using Mat = spmd::local::dense<float, 2>;

enum class kind : std::uint8_t { r, i, v, p, s };
struct placement {
  kind k = kind::r;
  std::uint8_t dim = 0;  // for s
  friend bool operator==(placement, placement) = default;
};
constexpr placement R{kind::r}, I{kind::i}, V{kind::v}, P{kind::p};
constexpr placement S(std::uint8_t d) {
  return {kind::s, d};
}

inline constexpr std::size_t max_axes = 8;
struct layout {
  std::uint8_t axes = 0;
  std::array<placement, max_axes> on{};
};

struct tensor {
  Mat local;
  layout lay;
};

[[noreturn]] inline void fail(char const* op, std::size_t axis, char const* why) {
  throw std::invalid_argument(std::string("sharding error in ") + op + " on mesh axis " + std::to_string(axis) + ": " +
                              why);
}

inline void same_mesh(char const* op, layout const& a, layout const& b) {
  if (a.axes != b.axes) throw std::invalid_argument(std::string("sharding error in ") + op + ": different meshes");
}

// A non-linear unary op (gelu, relu, tanh): no pending sum; shards and the rest pass through.
inline layout nonlinear(char const* op, layout const& a) {
  for (std::size_t x = 0; x < a.axes; ++x)
    if (a.on[x].k == kind::p) fail(op, x, "a non-linear op of a pending sum; reduce it first");
  return a;
}

// Two operands without a pending sum on axis x: equal placements stay; I does not mix with
// anything else; two shards must shard the same dim; a shard wins over R and V, V over R.
inline placement whole_operands(char const* op, std::size_t x, placement pa, placement pb) {
  if (pa == pb) return pa;
  if (pa.k == kind::i || pb.k == kind::i) fail(op, x, "an invariant mixed with another placement");
  if (pa.k == kind::s && pb.k == kind::s) fail(op, x, "shards of different dims");
  return pa.k == kind::s ? pa : pb.k == kind::s ? pb : V;
}

// A linear binary op (+, -): P + P is P, P + anything else is an error.
inline layout linear(char const* op, layout const& a, layout const& b) {
  same_mesh(op, a, b);
  layout out = a;
  for (std::size_t x = 0; x < a.axes; ++x) {
    placement const pa = a.on[x], pb = b.on[x];
    if (pa != pb && (pa.k == kind::p || pb.k == kind::p)) fail(op, x, "a pending sum added to a whole value");
    out.on[x] = whole_operands(op, x, pa, pb);
  }
  return out;
}

// A product (*): at most one pending sum factor, times an R or I value.
inline layout bilinear(char const* op, layout const& a, layout const& b) {
  same_mesh(op, a, b);
  layout out = a;
  for (std::size_t x = 0; x < a.axes; ++x) {
    placement const pa = a.on[x], pb = b.on[x];
    if (pa.k == kind::p && pb.k == kind::p) fail(op, x, "a product of two pending sums");
    if (pa.k == kind::p || pb.k == kind::p) {
      placement const other = pa.k == kind::p ? pb : pa;
      if (other.k != kind::r && other.k != kind::i) fail(op, x, "a pending sum times a value that varies");
      out.on[x] = P;
    } else {
      out.on[x] = whole_operands(op, x, pa, pb);
    }
  }
  return out;
}

// Scalar operand: adopts the tensor's placement; a pending sum plus a scalar is an error.
inline layout with_scalar(char const* op, layout const& a, bool additive) {
  if (additive)
    for (std::size_t x = 0; x < a.axes; ++x)
      if (a.on[x].k == kind::p) fail(op, x, "a scalar added to a pending sum");
  return a;
}

// a [m, k] @ b [k, n]: S(0) of a -> S(0); S(1) of b -> S(1); S(1) of a with S(0) of b -> P if the
// caller asked for a pending sum (out_partial), otherwise an error; a one-sided shard of k is an
// error; P times a whole value stays P.
inline layout matmul(layout const& a, layout const& b, std::uint64_t out_partial_axes) {
  same_mesh("matmul", a, b);
  layout out = a;
  for (std::size_t x = 0; x < a.axes; ++x) {
    placement const pa = a.on[x], pb = b.on[x];
    bool const partial_ok = (out_partial_axes >> x) & 1u;
    bool const a_k = pa.k == kind::s && pa.dim == 1, b_k = pb.k == kind::s && pb.dim == 0;
    if (a_k != b_k) fail("matmul", x, "the contracted dim is sharded in one operand only");
    if (a_k) {
      if (!partial_ok) fail("matmul", x, "the contracted dim is sharded: ask for out_partial");
      out.on[x] = P;
      continue;
    }
    if (partial_ok) fail("matmul", x, "out_partial on an axis that contracts no shard");
    if (pa.k == kind::p && pb.k == kind::p) fail("matmul", x, "a product of two pending sums");
    if (pa.k == kind::p || pb.k == kind::p) {
      placement const other = pa.k == kind::p ? pb : pa;
      if (other.k != kind::r && other.k != kind::i) fail("matmul", x, "a pending sum times a value that varies");
      out.on[x] = P;
    } else if (pa.k == kind::s) {
      if (pb.k != kind::r) fail("matmul", x, "a row shard times a weight that is not replicated");
      out.on[x] = pa;
    } else if (pb.k == kind::s) {
      if (pa.k != kind::r && pa.k != kind::v) fail("matmul", x, "a column shard times an operand that is not R or V");
      out.on[x] = pb;
    } else if (pa == pb) {
      out.on[x] = pa;
    } else if (pa.k == kind::i || pb.k == kind::i) {
      fail("matmul", x, "an invariant mixed with another placement");
    } else {
      out.on[x] = V;
    }
  }
  return out;
}

inline tensor operator+(tensor const& a, tensor const& b) {
  return {spmd::local::add(a.local, b.local), linear("add", a.lay, b.lay)};
}
inline tensor operator-(tensor const& a, tensor const& b) {
  return {spmd::local::sub(a.local, b.local), linear("sub", a.lay, b.lay)};
}
inline tensor operator*(tensor const& a, tensor const& b) {
  return {spmd::local::mul(a.local, b.local), bilinear("mul", a.lay, b.lay)};
}
inline tensor operator*(tensor const& a, float s) {
  return {spmd::local::mul(a.local, s), with_scalar("mul", a.lay, false)};
}
inline tensor operator/(tensor const& a, float s) {
  return {spmd::local::div(a.local, s), with_scalar("div", a.lay, false)};
}
// By value: the local kernels reuse an rvalue's buffer, as spmd's typed ops let them.
inline tensor gelu(tensor a) {
  layout const lay = nonlinear("gelu", a.lay);
  return {spmd::local::gelu(std::move(a.local)), lay};
}
inline tensor relu(tensor a) {
  layout const lay = nonlinear("relu", a.lay);
  return {spmd::local::relu(std::move(a.local)), lay};
}
inline tensor matmul(tensor const& a, tensor const& b, std::uint64_t out_partial_axes = 0) {
  auto lay = checked::matmul(a.lay, b.lay, out_partial_axes);  // checked before the kernel runs
  return {spmd::local::matmul(a.local, b.local), lay};
}

// convert(x, axis, I, R): the placement changes on `axis`, the data does not (Megatron's "copy to
// tensor-parallel region"); x must be `from` there.
inline tensor convert(tensor const& x, std::size_t axis, placement from, placement to) {
  if (axis >= x.lay.axes || x.lay.on[axis] != from) fail("convert", axis, "the source placement does not match");
  tensor out = x;
  out.lay.on[axis] = to;
  return out;
}

// all_reduce(x, axis, to, sum): x must be a pending sum (or V) on `axis`; `sum(local)` runs the
// untyped collective in place; the result is `to` (R or I) there.
template <class Sum>
tensor all_reduce(tensor x, std::size_t axis, placement to, Sum&& sum) {
  if (axis >= x.lay.axes || (x.lay.on[axis].k != kind::p && x.lay.on[axis].k != kind::v))
    fail("all_reduce", axis, "only a pending sum or a varying value is all-reduced");
  if (to.k != kind::r && to.k != kind::i) fail("all_reduce", axis, "the result is R or I");
  sum(x.local);
  x.lay.on[axis] = to;
  return x;
}

}  // namespace bench::checked
