// spmd/rules/axis_rule.hpp - the typing rule of a non-communicating op on one mesh axis.
//
// The rule is computed in two steps. `axis_verdict_of` evaluates it: the result placement, or
// the first mistake it finds (pending sums first, then invariants, then shards), without ever
// failing to compile, so that other code can ask "is this op legal?" (autograd, fused ops).
// `rule_diagnostic` turns a mistake into the one static_assert that explains it; it is a class
// template of the op, the axis name and the operands' placements on that axis, so the compiler's
// "in instantiation of" line shows all of them.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <type_traits>

#include <spmd/core/fixed_string.hpp>
#include <spmd/core/meta.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/linearity.hpp>

namespace spmd::rules {

/// The placement of a plain number operand on every axis: it adopts the other operands' type.
struct scalar {};

/// A placement, or `scalar`.
template <class T>
concept operand_placement = placement<T> || std::same_as<T, scalar>;

/// What becomes of one dim of an operand in an op's result. An S<d> on that dim follows it:
///   kept       the dim is result dim `index`: S<d> becomes S<index>;
///   contracted the dim is summed over with every operand dim of the same `index` (a contraction
///              label): sharded in all of them, the result is a pending sum (out_partial); in
///              some only, an error;
///   merged     the dim is merged or concatenated (reshape, concat): the result is a plain V;
///   along      a non-linear op works along the dim (softmax, layer norm, row max): an error;
///   averaged   the dim is averaged over (mean): an error (the divisor would be the local extent).
struct dim_fate {
  enum kind_t { kept, contracted, merged, along, averaged };
  kind_t kind = kept;
  int index = 0;

  static constexpr dim_fate to(int dim) noexcept { return {kept, dim}; }
  static constexpr dim_fate summed(int label) noexcept { return {contracted, label}; }
  static constexpr dim_fate lost() noexcept { return {merged, 0}; }
  static constexpr dim_fate worked_along() noexcept { return {along, 0}; }
  static constexpr dim_fate mean() noexcept { return {averaged, 0}; }
};

/// The dim map of ops that keep every dim in place and work elementwise (unary and binary
/// elementwise ops). A dim map provides `fate(operand, dim)`; a contraction also provides
/// `contracted_dim(operand, label)` (the operand's dim with that label, or -1); an elementwise op
/// says `elementwise = true` (two different shard dims then get the elementwise message).
struct same_dims {
  static constexpr bool elementwise = true;
  static constexpr dim_fate fate(std::size_t /*operand*/, int dim) noexcept { return dim_fate::to(dim); }
};

/// Why an op is rejected on one mesh axis (`none`: it is not).
enum class rule_error : unsigned char {
  none,
  no_tensor,
  p_with_v,
  p_nonlinear,
  p_nonlinear_operand,
  p_plus_whole,
  p_plus_scalar,
  p_times_p,
  p_divisor,
  i_mixed,
  shard_dims_differ,
  sharded_twice,
  contraction_needs_out_partial,
  sum_needs_out_partial,
  contraction_one_sided,
  mean_over_shard,
  nonlinear_along_shard,
  out_partial_on_r,
  out_partial_on_i,
  out_partial_on_shard,
};

/// The verdict of an op on one axis: the result placement (kind, and the shard dim of a V, or -1)
/// or the mistake.
struct axis_verdict {
  rule_error error = rule_error::none;
  placement_kind kind = placement_kind::ill_typed;
  int dim = -1;

  static constexpr axis_verdict fail(rule_error e) noexcept { return {e, placement_kind::ill_typed, -1}; }
  static constexpr axis_verdict is(placement_kind k, int d = -1) noexcept { return {rule_error::none, k, d}; }
};

namespace detail {

// What the rule needs to know of one operand.
struct operand_info {
  bool tensor = false;     // not a plain number
  placement_kind kind{};   // for tensors
  int shard = -1;          // d of an S<d>, else -1
  bool nonlinear = false;  // the op is not linear in this operand (a mask): it is never P
};

template <operand_placement T>
constexpr operand_info info_of() {
  if constexpr (std::same_as<T, scalar>)
    return {};
  else
    return {true, placement_value_of<T>.kind, placement_value_of<T>.dim};
}

template <class DimMap>
constexpr int contracted_dim_of(std::size_t operand, int label) {
  if constexpr (requires { DimMap::contracted_dim(operand, label); })
    return DimMap::contracted_dim(operand, label);
  else
    return -1;
}

/// True if op `Op` declares that it is not linear in operand `i` (`nonlinear_in(i)`): that
/// operand must never be P, and the op's linearity applies to the other operands only.
template <class Op>
constexpr bool nonlinear_in(std::size_t i) {
  if constexpr (requires { Op::nonlinear_in(i); })
    return Op::nonlinear_in(i);
  else
    return false;
}

template <class DimMap>
constexpr bool elementwise_map() {
  if constexpr (requires { DimMap::elementwise; })
    return DimMap::elementwise;
  else
    return false;
}

// How many operands of each kind an op has on one axis.
struct operand_counts {
  std::size_t tensors = 0, replicate = 0, invariant = 0, varying = 0, plain_varying = 0, partial = 0, scalars = 0;
  bool ill_typed = false;
};

template <std::size_t N>
constexpr operand_counts count_operands(std::array<operand_info, N> const& ops) {
  operand_counts c;
  for (auto const& o : ops) {
    if (!o.tensor) {
      ++c.scalars;
      continue;
    }
    ++c.tensors;
    c.ill_typed = c.ill_typed || o.kind == placement_kind::ill_typed;
    c.replicate += o.kind == placement_kind::replicate;
    c.invariant += o.kind == placement_kind::invariant;
    c.varying += o.kind == placement_kind::varying;
    c.plain_varying += o.kind == placement_kind::varying && o.shard < 0;
    c.partial += o.kind == placement_kind::partial;
  }
  return c;
}

// The rule of pending sums, when some operand is P.
template <std::size_t N>
constexpr axis_verdict partial_verdict(std::array<operand_info, N> const& ops, operand_counts const& c, linearity lin) {
  if (c.varying > 0) return axis_verdict::fail(rule_error::p_with_v);
  std::size_t whole = 0, scalars = 0;  // among the operands the op is linear in
  for (auto const& o : ops) {
    if (o.nonlinear && o.tensor && o.kind == placement_kind::partial)
      return axis_verdict::fail(rule_error::p_nonlinear_operand);
    if (o.nonlinear) continue;
    scalars += !o.tensor;
    whole += o.tensor && (o.kind == placement_kind::replicate || o.kind == placement_kind::invariant);
  }
  switch (lin) {
    case linearity::nonlinear:
      return axis_verdict::fail(rule_error::p_nonlinear);
    case linearity::linear:
      if (whole > 0) return axis_verdict::fail(rule_error::p_plus_whole);
      if (scalars > 0) return axis_verdict::fail(rule_error::p_plus_scalar);
      break;
    case linearity::multilinear:
      if (c.partial > 1) return axis_verdict::fail(rule_error::p_times_p);
      break;
    case linearity::linear_in_first:
      if (c.partial > 1 || !(ops[0].tensor && ops[0].kind == placement_kind::partial))
        return axis_verdict::fail(rule_error::p_divisor);
      break;
  }
  if (c.invariant > 0) return axis_verdict::fail(rule_error::i_mixed);  // P * I: the I is the mistake
  return axis_verdict::is(placement_kind::partial);
}

// The rule of varying operands: where each S<d> goes (docs/rules.md, "a shard is a shard").
template <class DimMap, std::size_t N>
constexpr axis_verdict varying_verdict(std::array<operand_info, N> const& ops, operand_counts const& c, bool named) {
  bool plain = c.plain_varying > 0;  // the result is a V whose pieces the type cannot describe
  bool summed = false;               // a contraction over a dim sharded in every operand that has it
  int out = -1;
  for (std::size_t i = 0; i < N; ++i) {
    if (ops[i].shard < 0) continue;
    dim_fate const f = DimMap::fate(i, ops[i].shard);
    switch (f.kind) {
      case dim_fate::kept:
        if (out >= 0 && out != f.index)
          return axis_verdict::fail(elementwise_map<DimMap>() ? rule_error::shard_dims_differ
                                                              : rule_error::sharded_twice);
        out = f.index;
        break;
      case dim_fate::merged:
        plain = true;
        break;
      case dim_fate::along:
        return axis_verdict::fail(rule_error::nonlinear_along_shard);
      case dim_fate::averaged:
        return axis_verdict::fail(rule_error::mean_over_shard);
      case dim_fate::contracted:
        for (std::size_t j = 0; j < N; ++j) {
          int const dj = j == i || !ops[j].tensor ? -1 : contracted_dim_of<DimMap>(j, f.index);
          if (dj < 0 || ops[j].shard == dj) continue;
          if (ops[j].kind == placement_kind::varying && ops[j].shard < 0)
            plain = true;  // the partner is a plain V: nothing more is known
          else
            return axis_verdict::fail(rule_error::contraction_one_sided);
        }
        summed = true;
        break;
    }
  }
  if (plain) return axis_verdict::is(named ? placement_kind::partial : placement_kind::varying);
  if (summed) {
    if (named) return axis_verdict::is(placement_kind::partial);
    return axis_verdict::fail(c.tensors == 1 ? rule_error::sum_needs_out_partial
                                             : rule_error::contraction_needs_out_partial);
  }
  if (named) return axis_verdict::fail(rule_error::out_partial_on_shard);
  return axis_verdict::is(placement_kind::varying, out);
}

}  // namespace detail

namespace detail {
// The verdict of an op of linearity `lin` on one axis, from its operands' infos there (the
// `nonlinear` flags set); `named`: the call's out_partial names the axis. A constexpr function of
// values, so that a whole layout's verdicts are one constant evaluation and not one template
// instantiation per axis (layout_rule.hpp); axis_verdict_of is the same function.
template <class DimMap, std::size_t N>
constexpr axis_verdict verdict_from(std::array<operand_info, N> const& ops, linearity lin, bool named) {
  operand_counts const c = count_operands(ops);
  if (c.ill_typed) return axis_verdict::is(placement_kind::ill_typed);
  if (c.tensors == 0) return axis_verdict::fail(rule_error::no_tensor);
  if (c.partial > 0) return partial_verdict(ops, c, lin);  // a pending sum is reported first
  if (c.invariant > 0) {
    if (c.invariant != c.tensors) return axis_verdict::fail(rule_error::i_mixed);
    return named ? axis_verdict::fail(rule_error::out_partial_on_i) : axis_verdict::is(placement_kind::invariant);
  }
  if (c.varying == 0)
    return named ? axis_verdict::fail(rule_error::out_partial_on_r) : axis_verdict::is(placement_kind::replicate);
  return varying_verdict<DimMap>(ops, c, named);
}

// The infos of the operands of `Op` on one axis, from each operand's own info there.
template <class Op, std::size_t N>
constexpr std::array<operand_info, N> with_linearity(std::array<operand_info, N> ops) {
  for (std::size_t i = 0; i < N; ++i) ops[i].nonlinear = nonlinear_in<Op>(i);
  return ops;
}
}  // namespace detail

/// The verdict of `Op` (an op tag, whose `linearity` decides what P operands it takes) on one
/// mesh axis, for operands placed `Ps...` there; `DimMap` says where each operand dim goes and
/// `Named` whether the call's out_partial names this axis. Never fails to compile.
template <class Op, class DimMap, bool Named, operand_placement... Ps>
consteval axis_verdict axis_verdict_of() {
  return detail::verdict_from<DimMap>(detail::with_linearity<Op>(
                                          std::array<detail::operand_info, sizeof...(Ps)>{detail::info_of<Ps>()...}),
                                      linearity_of<Op>, Named);
}

/// The one static_assert that explains mistake `E` of `Op` on mesh axis `Axis` (an on_axis<...>
/// type) with operands `Ps...`: instantiating `rule_diagnostic<E, ...>` fires it, and the
/// compiler's "in instantiation of" line shows the mistake, the op, the axis and the placements.
/// For `rule_error::none` it is empty.
template <rule_error E, class Op, class Axis, class... Ps>
struct rule_diagnostic {};

// clang-format off
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::no_tensor, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: an op needs at least one tensor operand");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::p_with_v, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: P (a pending sum) meets V (varying) on this mesh axis; their combination means " "nothing: reduce the P first (all_reduce, or reduce_scatter to get a shard)");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::p_nonlinear, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: a non-linear op received P (a pending sum) on this mesh axis; f(sum of parts) " "is not the sum of f(parts): all_reduce it first");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::p_nonlinear_operand, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: an operand that this op is not linear in (a mask, a selector) is P (a pending " "sum) on this mesh axis; all_reduce it first");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::p_plus_whole, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: P + R on this mesh axis: a linear op mixes a pending sum with a whole (R or I) " "term, which would be summed once per rank; all_reduce the P first (or make every " "operand P)");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::p_plus_scalar, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: P + scalar on this mesh axis: the scalar would be summed once per rank; " "all_reduce the P first");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::p_times_p, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: P * P on this mesh axis: the product of two pending sums is not the sum of " "products; all_reduce one operand first");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::p_divisor, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: x / P on this mesh axis: division is linear in its numerator only, so the " "divisor must not be a pending sum; all_reduce the divisor first");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::i_mixed, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: I (invariant) meets another type on this mesh axis, and I never mixes; " "convert it first: convert<axis, I, R> for a replicated parameter used next to R/V " "values, or convert<axis, I, S<d>> to split it");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::shard_dims_differ, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: S<a> with S<b> (a != b) elementwise on this mesh axis: the operands are sharded " "along different dims, so their pieces do not line up; all_to_all one of them to the " "other's dim (or all_gather both)");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::sharded_twice, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: the result would be sharded along two dims on this mesh axis (e.g. matmul of " "S<0> rows by S<1> columns: the sequence-parallel input was not gathered); " "all_gather<axis, R> the activation before the column-parallel matmul");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::contraction_needs_out_partial, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: a matmul/einsum contracts a dim that is sharded on this mesh axis in both " "operands, so each rank holds a partial sum: pass out_partial<axis> (the result is P, " "to be reduced with all_reduce or reduce_scatter)");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::sum_needs_out_partial, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: a sum over a dim that is sharded on this mesh axis leaves a partial sum on " "each rank: pass out_partial<axis> (the result is P, to be reduced), or all_gather first");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::contraction_one_sided, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: a matmul/einsum contracts a dim that is sharded on this mesh axis in one " "operand only (the other is whole, or sharded along another dim); all_gather the " "sharded operand first, or shard both operands along the contracted dim");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::mean_over_shard, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: mean over a dim that is sharded on this mesh axis would divide by the local " "extent; sum<d>(x, out_partial<axis>), reduce, then divide by the global extent");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::nonlinear_along_shard, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: a non-linear op works along a dim that is sharded on this mesh axis (softmax, " "layer norm, max along d): each rank sees only its piece; all_gather first, or use " "the vocab-parallel form (nn::vocab_parallel_cross_entropy)");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::out_partial_on_r, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: out_partial names a mesh axis on which the result is R: nothing was sharded " "there, so there is no partial sum; remove this axis from out_partial");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::out_partial_on_i, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: out_partial names a mesh axis on which the result is I: nothing was sharded " "there, so there is no partial sum; remove this axis from out_partial");
};
template <class Op, class Axis, class... Ps>
struct rule_diagnostic<rule_error::out_partial_on_shard, Op, Axis, Ps...> {
  static_assert(spmd::detail::always_false<Op, Axis, Ps...>, "spmd: out_partial names a mesh axis on which the contraction did not run over the " "sharded dim: the result is a shard S<d>, not a partial sum; remove this axis from " "out_partial");
};
// clang-format on

/// The diagnostic of `Op` on mesh axis `Axis` (empty if the op is legal there).
template <class Op, class Axis, class DimMap, bool Named, operand_placement... Ps>
using axis_diagnostic = rule_diagnostic<axis_verdict_of<Op, DimMap, Named, Ps...>().error, Op, Axis, Ps...>;

/// The placement of a verdict's kind and shard dim (`ill_typed` for a rejected op).
template <placement_kind Kind, int Dim>
using verdict_placement_t = placement_t<Kind, Dim>;

}  // namespace spmd::rules
