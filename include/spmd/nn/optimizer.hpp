// spmd/nn/optimizer.hpp - SGD and AdamW whose step only accepts a gradient of exactly the
// parameter's type.
//
// After backward the gradient of a parameter that is R on dp is P on dp: each dp rank holds its
// own batch's share. Stepping with it would update every dp replica differently (and silently
// train on 1/dp of the data). The step's static_assert makes that a compile error that names the
// axis and the fix: all_reduce the gradient over dp first (nn::all_reduce_grad), or reduce-scatter
// it and step on a shard (nn::zero_step).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>
#include <spmd/autograd/tape.hpp>
#include <spmd/core/meta.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/rules/axis_rule.hpp>
#include <spmd/tensor.hpp>

namespace spmd::nn {

namespace detail {
template <class Axis, placement Param, placement Grad>
consteval bool step_placement_ok() {
  if constexpr (std::is_same_v<Param, Grad>) {
    return true;
  } else if constexpr (ill_typed_placement<Grad>) {
    return false;  // the op that made the gradient was rejected and has said why
  } else if constexpr (kind_of<Param> == placement_kind::replicate && kind_of<Grad> == placement_kind::partial &&
                       std::string_view(Axis::name) == "dp") {
    static_assert(spmd::detail::always_false<Axis, Param, Grad>,
                  "spmd: optimizer step: the gradient is still P (a pending sum) on the data-parallel axis dp, "
                  "where the parameter is R: each dp rank holds only its batch's share; all_reduce it over dp "
                  "first (nn::all_reduce_grad(r, p), i.e. all_reduce<\"dp\", R>), or reduce-scatter it and step "
                  "on a shard (nn::zero_step)");
    return false;
  } else if constexpr (kind_of<Param> == placement_kind::replicate && kind_of<Grad> == placement_kind::partial) {
    static_assert(spmd::detail::always_false<Axis, Param, Grad>,
                  "spmd: optimizer step: the gradient is still P (a pending sum) on this mesh axis (not dp), where "
                  "the parameter is R: each rank of the axis holds part of it. A parameter every rank of a "
                  "model-parallel axis holds whole should be I there and enter the forward through "
                  "convert<axis, I, R> (nn::replicated_operand), whose backward all-reduces the gradient; or "
                  "all_reduce<axis, R> the gradient over this axis before the step");
    return false;
  } else {
    static_assert(spmd::detail::always_false<Axis, Param, Grad>,
                  "spmd: optimizer step: the gradient's placement differs from the parameter's on this mesh axis; "
                  "the step needs a gradient of exactly the parameter's type (grad_t of the parameter, reduced "
                  "where it is P)");
    return false;
  }
}
}  // namespace detail

/// True if `Grad` is exactly the type of `Param` (a static_assert per mesh axis says why not).
template <typed_tensor Param, typed_tensor Grad>
consteval bool gradient_fits() {
  using X = std::remove_cvref_t<Param>;
  using G = std::remove_cvref_t<Grad>;
  static_assert(std::is_same_v<typename X::mesh_type, typename G::mesh_type>,
                "spmd: optimizer step: the gradient lives on another mesh than the parameter");
  static_assert(std::is_same_v<typename X::local_type, typename G::local_type>,
                "spmd: optimizer step: the gradient's local tensor type differs from the parameter's");
  if constexpr (std::is_same_v<typename X::mesh_type, typename G::mesh_type> &&
                std::is_same_v<typename X::local_type, typename G::local_type>)
    return all_axes<typename X::mesh_type, typename X::layout_type, typename G::layout_type>(
        []<class Axis, class ParamPl, class GradPl>() { return detail::step_placement_ok<Axis, ParamPl, GradPl>(); });
  else
    return false;
}

/// True for a parameter that weight decay applies to: a matrix (every extent > 1), not a vector
/// (biases, layer-norm weights).
template <class Shape>
bool is_matrix_shape(Shape const& shape) {
  for (auto e : shape)
    if (e <= 1) return false;
  return true;
}

namespace detail {
template <class Local>
std::size_t element_count(Local const& x) {
  std::size_t n = 1;
  for (auto e : x.shape()) n *= e;
  return n;
}
}  // namespace detail

/// Plain SGD with decoupled weight decay: x -= lr * (g + weight_decay * x) (decay on matrices only).
struct sgd {
  double lr = 0.1;
  double weight_decay = 0.0;

  /// One step on `value` with `grad`, which must have exactly value's type. `key` is unused (SGD
  /// has no state); `decay` says whether weight decay applies.
  template <typed_tensor Param, typed_tensor Grad>
  void update(Param& value, Grad const& grad, void const* /*key*/, bool decay) {
    if constexpr (gradient_fits<Param, Grad>()) {
      using T = typename Param::value_type;
      auto* x = value.local().data();
      auto const* g = grad.local().data();
      std::size_t const n = detail::element_count(value.local());
      double const wd = decay ? weight_decay : 0.0;
      for (std::size_t i = 0; i < n; ++i)
        x[i] = static_cast<T>(static_cast<double>(x[i]) -
                              lr * (static_cast<double>(g[i]) + wd * static_cast<double>(x[i])));
    }
  }
  /// One step on parameter `p` with `grad` (exactly p's type: reduce a P@dp gradient first).
  template <typed_tensor Param, typed_tensor Grad>
  void step(autograd::parameter<Param>& p, Grad const& grad) {
    update(p.value(), grad, &p.value(), is_matrix_shape(p.value().local().shape()));
  }
};

/// AdamW hyper-parameters.
struct adamw_config {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

/// AdamW (Loshchilov & Hutter): Adam moments in double precision, bias-corrected, with decoupled
/// weight decay on matrices. The state of a parameter (or of a shard of it, see nn::zero_step) is
/// kept under a key, the address of the parameter's value; it is created at the first step.
class adamw {
 public:
  adamw() = default;
  explicit adamw(adamw_config config) : config_(config) {}

  [[nodiscard]] adamw_config& config() noexcept { return config_; }
  [[nodiscard]] adamw_config const& config() const noexcept { return config_; }

  /// One step on `value` with `grad`, which must have exactly value's type; the moments are those
  /// stored under `key`.
  template <typed_tensor Param, typed_tensor Grad>
  void update(Param& value, Grad const& grad, void const* key, bool decay) {
    if constexpr (gradient_fits<Param, Grad>()) {
      using T = typename Param::value_type;
      std::size_t const n = detail::element_count(value.local());
      if (detail::element_count(grad.local()) != n)
        throw std::invalid_argument("spmd: nn::adamw: the gradient and the parameter differ in size");
      slot& s = state_[key];
      if (s.m.size() != n) {
        s.m.assign(n, 0.0);
        s.v.assign(n, 0.0);
        s.t = 0;
      }
      ++s.t;
      double const b1 = config_.beta1, b2 = config_.beta2;
      double const c1 = 1.0 - std::pow(b1, static_cast<double>(s.t));
      double const c2 = 1.0 - std::pow(b2, static_cast<double>(s.t));
      double const wd = decay ? config_.weight_decay : 0.0;
      auto* x = value.local().data();
      auto const* g = grad.local().data();
      for (std::size_t i = 0; i < n; ++i) {
        double const gi = static_cast<double>(g[i]);
        s.m[i] = b1 * s.m[i] + (1.0 - b1) * gi;
        s.v[i] = b2 * s.v[i] + (1.0 - b2) * gi * gi;
        double const mhat = s.m[i] / c1, vhat = s.v[i] / c2;
        double const xi = static_cast<double>(x[i]);
        x[i] = static_cast<T>(xi - config_.lr * (mhat / (std::sqrt(vhat) + config_.eps) + wd * xi));
      }
    }
  }
  /// One step on parameter `p` with `grad` (exactly p's type: reduce a P@dp gradient first).
  template <typed_tensor Param, typed_tensor Grad>
  void step(autograd::parameter<Param>& p, Grad const& grad) {
    update(p.value(), grad, &p.value(), is_matrix_shape(p.value().local().shape()));
  }

  /// Number of moment elements this rank stores (2 per parameter element it updates): with
  /// nn::zero_step, about 1/dp of the all-reduce variant's.
  [[nodiscard]] std::size_t state_elements() const noexcept {
    std::size_t n = 0;
    for (auto const& [k, s] : state_) n += s.m.size() + s.v.size();
    return n;
  }

 private:
  struct slot {
    std::vector<double> m, v;
    std::uint64_t t = 0;
  };
  adamw_config config_{};
  std::unordered_map<void const*, slot> state_;
};

}  // namespace spmd::nn
