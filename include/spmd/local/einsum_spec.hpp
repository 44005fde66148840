// spmd/local/einsum_spec.hpp - compile-time einsum specifications ("ij,jk->ik").
//
// The spec string is parsed once, at compile time, into a plain struct (einsum_parse) that
// the typed layer inspects to emit static_asserts and the local kernel uses to plan loops.
// Grammar: one or two operands of labels (a-z, A-Z), comma separated, then "->" and the
// output labels (possibly none). No implicit output, no ellipsis, no repeated label within
// one operand (so diagonals such as "ii->i" are rejected), at most 16 labels per operand.
#pragma once

#include <spmd/core/fixed_string.hpp>

#include <array>
#include <cstddef>
#include <string_view>

namespace spmd::local {

/// Why a spec string was rejected (einsum_parse::error holds the value as int; 0 = none).
enum class einsum_error : int {
  none = 0,
  missing_arrow,               ///< no "->" (implicit output mode is not supported)
  bad_character,               ///< labels must be a-z or A-Z (also: a second "->", spaces)
  too_many_operands,           ///< at most two inputs
  empty_operand,               ///< an input with no labels (e.g. "ij,->i")
  repeated_label_in_operand,   ///< e.g. "ii->i"
  output_label_not_in_inputs,  ///< e.g. "ij->k"
  repeated_output_label,       ///< e.g. "ij->ii"
  too_many_labels,             ///< more than 16 labels in one operand or in the output
};

/// Maximum labels per operand / output.
inline constexpr std::size_t einsum_max_labels = 16;
/// "Not found" result of the position queries.
inline constexpr std::size_t einsum_npos = static_cast<std::size_t>(-1);

/// Result of parse_einsum; a literal type, so usable in constant expressions.
struct einsum_parse {
  int error = 0;              ///< 0 = ok, otherwise an einsum_error value
  std::size_t error_pos = 0;  ///< index in the spec string where the error was detected
  std::size_t n_inputs = 0;   ///< number of input operands (1 or 2)
  std::array<std::array<char, einsum_max_labels>, 2> in_labels{};  ///< labels of each input
  std::array<std::size_t, 2> in_ndim{};                            ///< label count of each input
  std::array<char, einsum_max_labels> out_labels{};                ///< labels of the output
  std::size_t out_ndim = 0;                                        ///< label count of the output

  /// The error as the enum.
  [[nodiscard]] constexpr einsum_error code() const noexcept { return static_cast<einsum_error>(error); }
  /// True if the spec parsed without error.
  [[nodiscard]] constexpr bool ok() const noexcept { return error == 0; }

  /// Dimension of input `operand` carrying `label`, or einsum_npos.
  [[nodiscard]] constexpr std::size_t in_position(std::size_t operand, char label) const noexcept {
    if (operand >= n_inputs) return einsum_npos;
    for (std::size_t d = 0; d < in_ndim[operand]; ++d)
      if (in_labels[operand][d] == label) return d;
    return einsum_npos;
  }
  /// Dimension of the output carrying `label`, or einsum_npos (i.e. the label is summed).
  [[nodiscard]] constexpr std::size_t out_position(char label) const noexcept {
    for (std::size_t d = 0; d < out_ndim; ++d)
      if (out_labels[d] == label) return d;
    return einsum_npos;
  }
  /// True if dimension `dim` of input `operand` is summed over (its label is not in the output).
  [[nodiscard]] constexpr bool is_contracted(std::size_t operand, std::size_t dim) const noexcept {
    return out_position(in_labels[operand][dim]) == einsum_npos;
  }
};

namespace detail {
[[nodiscard]] constexpr bool is_einsum_label(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
[[nodiscard]] constexpr einsum_parse einsum_fail(einsum_parse p, einsum_error e, std::size_t pos) noexcept {
  p.error = static_cast<int>(e);
  p.error_pos = pos;
  return p;
}
}  // namespace detail

/// Parses an einsum spec such as "bij,bjk->bik"; never throws, reports via `error`.
consteval einsum_parse parse_einsum(std::string_view s) {
  einsum_parse p{};
  // Not string_view::find: it compares a pointer into the spec (a template parameter object for
  // einsum_spec) with null, which g++ cannot constant-fold under -fsanitize=undefined.
  std::size_t arrow = std::string_view::npos;
  for (std::size_t i = 0; i + 1 < s.size() && arrow == std::string_view::npos; ++i)
    if (s[i] == '-' && s[i + 1] == '>') arrow = i;
  if (arrow == std::string_view::npos) return detail::einsum_fail(p, einsum_error::missing_arrow, s.size());

  // Inputs: s[0, arrow).
  p.n_inputs = 1;
  for (std::size_t i = 0; i < arrow; ++i) {
    char const c = s[i];
    std::size_t const k = p.n_inputs - 1;
    if (c == ',') {
      if (p.in_ndim[k] == 0) return detail::einsum_fail(p, einsum_error::empty_operand, i);
      if (p.n_inputs == 2) return detail::einsum_fail(p, einsum_error::too_many_operands, i);
      ++p.n_inputs;
      continue;
    }
    if (!detail::is_einsum_label(c)) return detail::einsum_fail(p, einsum_error::bad_character, i);
    if (p.in_position(k, c) != einsum_npos) return detail::einsum_fail(p, einsum_error::repeated_label_in_operand, i);
    if (p.in_ndim[k] == einsum_max_labels) return detail::einsum_fail(p, einsum_error::too_many_labels, i);
    p.in_labels[k][p.in_ndim[k]++] = c;
  }
  if (p.in_ndim[p.n_inputs - 1] == 0) return detail::einsum_fail(p, einsum_error::empty_operand, arrow);

  // Output: s[arrow + 2, end).
  for (std::size_t i = arrow + 2; i < s.size(); ++i) {
    char const c = s[i];
    if (!detail::is_einsum_label(c)) return detail::einsum_fail(p, einsum_error::bad_character, i);
    if (p.out_position(c) != einsum_npos) return detail::einsum_fail(p, einsum_error::repeated_output_label, i);
    if (p.in_position(0, c) == einsum_npos && p.in_position(1, c) == einsum_npos)
      return detail::einsum_fail(p, einsum_error::output_label_not_in_inputs, i);
    if (p.out_ndim == einsum_max_labels) return detail::einsum_fail(p, einsum_error::too_many_labels, i);
    p.out_labels[p.out_ndim++] = c;
  }
  return p;
}

/// Execution plan derived from a valid parse: the loop labels and, when the contraction is a
/// (batched) matrix product, how to hand it to GEMM.
struct einsum_plan {
  /// Upper bound on distinct labels (two operands of at most 16).
  static constexpr std::size_t max_loop = 2 * einsum_max_labels;

  /// Loop labels: the output labels in output order, then the contracted labels in order of
  /// first appearance in the inputs.
  std::size_t n_loop = 0;
  std::array<char, max_loop> loop_labels{};
  /// operand_dim[k][l]: dimension of input k carrying loop label l, or einsum_npos.
  std::array<std::array<std::size_t, max_loop>, 2> operand_dim{};

  /// True if the spec is "B..xy,B..yz->B..xz" up to transposes of either input or of the
  /// output: identical leading batch labels B.. (n_batch of them, possibly none) in all three,
  /// followed by a single GEMM per batch element.
  bool gemm = false;
  std::size_t n_batch = 0;
  bool trans_a = false;    ///< a's trailing pair is (contracted, free): use a^T
  bool trans_b = false;    ///< b's trailing pair is (free, contracted): use b^T
  bool trans_out = false;  ///< output's trailing pair is (b-free, a-free)
};

/// Builds the plan for a parse; returns a default (empty) plan if the parse failed.
[[nodiscard]] constexpr einsum_plan make_einsum_plan(einsum_parse const& p) noexcept {
  einsum_plan plan{};
  if (!p.ok()) return plan;
  for (std::size_t d = 0; d < p.out_ndim; ++d) plan.loop_labels[plan.n_loop++] = p.out_labels[d];
  for (std::size_t k = 0; k < p.n_inputs; ++k) {
    for (std::size_t d = 0; d < p.in_ndim[k]; ++d) {
      char const c = p.in_labels[k][d];
      bool seen = false;
      for (std::size_t l = 0; l < plan.n_loop; ++l) seen = seen || plan.loop_labels[l] == c;
      if (!seen) plan.loop_labels[plan.n_loop++] = c;
    }
  }
  for (std::size_t k = 0; k < 2; ++k)
    for (std::size_t l = 0; l < einsum_plan::max_loop; ++l)
      plan.operand_dim[k][l] = l < plan.n_loop ? p.in_position(k, plan.loop_labels[l]) : einsum_npos;

  // GEMM recognition.
  if (p.n_inputs != 2) return plan;
  std::size_t const r = p.in_ndim[0];
  if (r < 2 || p.in_ndim[1] != r || p.out_ndim != r) return plan;
  std::size_t const nb = r - 2;
  auto const& A = p.in_labels[0];
  auto const& B = p.in_labels[1];
  auto const& O = p.out_labels;
  for (std::size_t i = 0; i < nb; ++i)
    if (A[i] != B[i] || A[i] != O[i]) return plan;
  char const a0 = A[nb], a1 = A[nb + 1], b0 = B[nb], b1 = B[nb + 1];
  int const shared = (a0 == b0) + (a0 == b1) + (a1 == b0) + (a1 == b1);
  if (shared != 1) return plan;
  char const c = (a0 == b0 || a0 == b1) ? a0 : a1;
  char const fa = (c == a0) ? a1 : a0;
  char const fb = (c == b0) ? b1 : b0;
  if (O[nb] == fa && O[nb + 1] == fb) {
    plan.trans_out = false;
  } else if (O[nb] == fb && O[nb + 1] == fa) {
    plan.trans_out = true;
  } else {
    return plan;
  }
  plan.gemm = true;
  plan.n_batch = nb;
  plan.trans_a = (a0 == c);
  plan.trans_b = (b1 == c);
  return plan;
}

/// An einsum spec as a type: `einsum_spec<"ij,jk->ik">{}` is passed (by value) to the
/// einsum kernels, so the parse and loop plan are compile-time constants.
template <fixed_string Spec>
struct einsum_spec {
  /// Marker recognised by the einsum kernels.
  static constexpr bool is_einsum_spec = true;
  /// The spec text.
  static constexpr std::string_view str = Spec.view();
  /// The parse result (check `parsed.error` / `ok` before relying on the rest).
  static constexpr einsum_parse parsed = parse_einsum(Spec.view());
  /// True if the spec is valid.
  static constexpr bool ok = parsed.ok();
  /// Number of input operands (1 or 2).
  static constexpr std::size_t n_inputs = parsed.n_inputs;
  /// Rank of the result.
  static constexpr std::size_t out_ndim = parsed.out_ndim;
  /// Loop plan used by the kernel.
  static constexpr einsum_plan plan = make_einsum_plan(parsed);

  /// Rank of input `operand`.
  [[nodiscard]] static constexpr std::size_t in_ndim(std::size_t operand) noexcept {
    return operand < 2 ? parsed.in_ndim[operand] : 0;
  }
  /// Label of dimension `dim` of input `operand`.
  [[nodiscard]] static constexpr char in_label(std::size_t operand, std::size_t dim) noexcept {
    return parsed.in_labels[operand][dim];
  }
  /// Label of output dimension `dim`.
  [[nodiscard]] static constexpr char out_label(std::size_t dim) noexcept { return parsed.out_labels[dim]; }
  /// Output dimension carrying `label`, or einsum_npos.
  [[nodiscard]] static constexpr std::size_t out_position(char label) noexcept { return parsed.out_position(label); }
  /// Dimension of input `operand` carrying `label`, or einsum_npos.
  [[nodiscard]] static constexpr std::size_t in_position(std::size_t operand, char label) noexcept {
    return parsed.in_position(operand, label);
  }
  /// True if dimension `dim` of input `operand` is summed over.
  [[nodiscard]] static constexpr bool is_contracted(std::size_t operand, std::size_t dim) noexcept {
    return parsed.is_contracted(operand, dim);
  }
  /// Output dimension fed by dimension `dim` of input `operand`, or einsum_npos if contracted.
  [[nodiscard]] static constexpr std::size_t out_position_of(std::size_t operand, std::size_t dim) noexcept {
    return parsed.out_position(parsed.in_labels[operand][dim]);
  }
};

/// Satisfied by einsum_spec<...> (used to constrain the kernels).
template <class S>
concept einsum_spec_type = requires {
  requires S::is_einsum_spec;
};

namespace detail {
/// The compile-time checks of a spec against its operands' numbers of dims, one place for every
/// local type's einsum kernel (local::dense, torch_tensor). Each check applies only if the ones
/// before hold: one mistake, one error. The value says whether all hold; it is not asserted again.
template <class Spec, std::size_t... Ndims>
consteval bool einsum_operands_fit() {
  constexpr std::size_t n = sizeof...(Ndims);
  constexpr std::size_t ndims[] = {Ndims...};
  static_assert(Spec::ok, "spmd: einsum spec is invalid");
  if constexpr (n == 2)
    static_assert(!Spec::ok || Spec::n_inputs == 2, "spmd: einsum spec has one input but two operands were given");
  else
    static_assert(!Spec::ok || Spec::n_inputs == 1, "spmd: einsum spec has two inputs but one operand was given");
  constexpr bool counted = Spec::ok && Spec::n_inputs == n;
  static_assert(!counted || Spec::in_ndim(0) == ndims[0],
                "spmd: einsum spec: the number of labels of operand 0 differs from its number of dims");
  if constexpr (n == 2)
    static_assert(!counted || Spec::in_ndim(1) == ndims[n - 1],
                  "spmd: einsum spec: the number of labels of operand 1 differs from its number of dims");
  return counted && ((Spec::in_ndim(0) == ndims[0]) && (n == 1 || Spec::in_ndim(n - 1) == ndims[n - 1]));
}
}  // namespace detail

}  // namespace spmd::local
