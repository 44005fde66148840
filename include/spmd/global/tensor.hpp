// spmd/global/tensor.hpp - spmd::global_tensor<Local, Mesh, Spec>: a typed tensor that knows its
// global shape and how its dims are sharded, in order, over several mesh axes.
//
// It is the local typed tensor (tensor<Local, Mesh, erased_layout_t<...>>) plus the partition spec
// in the type and the global extents as values. Erasing the spec (to_local) gives back the local
// typed tensor: every global program is a well-typed local program.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/meta.hpp>
#include <spmd/core/per_axis.hpp>
#include <spmd/core/printed_names.hpp>
#include <spmd/global/spec.hpp>
#include <spmd/local/concept.hpp>
#include <spmd/tensor.hpp>

namespace spmd::global {

namespace detail {
/// What a global tensor wraps: a typed tensor, or something that holds one as its value (an
/// autograd variable, whose `tensor_type` is the typed tensor and `value()` returns it).
template <class Inner>
struct inner_traits {
  using tensor_type = Inner;
  static Inner const& value(Inner const& x) noexcept { return x; }
};
template <class Inner>
  requires(!typed_tensor<Inner> && requires { typename Inner::tensor_type; })
struct inner_traits<Inner> {
  using tensor_type = typename Inner::tensor_type;
  static decltype(auto) value(Inner const& x) noexcept { return x.value(); }
};
}  // namespace detail

/// The typed tensor an inner type holds: itself, or an autograd variable's tensor type.
template <class Inner>
using tensor_of_t = typename detail::inner_traits<Inner>::tensor_type;

/// The global tensor over `Inner` (a typed tensor, or an autograd variable of one, whose layout
/// has S<d> on exactly the axes of `Spec`'s dim d) with the canonical partition spec `Spec`
/// (spec<on<...>..., at<axis, R|I|P>...>, global/spec.hpp). Users spell it through the aliases
/// spmd::global_tensor<Local, Mesh, Spec> and, for variables, global::var_t<X>.
template <class Inner, class Spec>
class basic_global_tensor;

template <class Inner, class... Entries>
class basic_global_tensor<Inner, spec<Entries...>> {
  using traits = detail::inner_traits<Inner>;

 public:
  /// What this rank holds: the typed tensor, or an autograd variable of it.
  using inner_type = Inner;
  /// This rank's piece as a typed tensor (the spec erased).
  using tensor_type = typename traits::tensor_type;
  using local_type = typename tensor_type::local_type;
  using mesh_type = typename tensor_type::mesh_type;
  using layout_type = typename tensor_type::layout_type;
  using spec_type = spec<Entries...>;
  using value_type = typename local_type::value_type;
  static constexpr std::size_t ndim = spmd::local_ndim<local_type>;
  using extents_type = std::array<std::size_t, ndim>;

  basic_global_tensor() = default;
  /// Wraps this rank's piece `x` of a tensor of global extents `extents`. A claim, not checked:
  /// programs use global::from_local, which checks the piece against the extents and the mesh.
  basic_global_tensor(Inner x, extents_type const& extents) noexcept(std::is_nothrow_move_constructible_v<Inner>)
      : inner_(std::move(x)), extents_(extents) {}

  /// A global tensor of another spec never converts: this constructor exists only to say why,
  /// and what to call instead, when a program returns or passes a global tensor of the wrong type.
  template <class OtherInner, class OtherSpec>
    requires(!std::is_same_v<basic_global_tensor<OtherInner, OtherSpec>, basic_global_tensor>)
  basic_global_tensor(basic_global_tensor<OtherInner, OtherSpec> const&) {  // NOLINT: implicit on purpose
    // (silent for the result of a rejected op: its error has been given)
    static_assert(has_ill_typed<typename tensor_of_t<OtherInner>::layout_type> ||
                      spmd::detail::always_false<OtherInner, OtherSpec>,
                  "spmd: global: a global tensor never changes its spec or placements implicitly; change them with "
                  "global::redistribute<Spec>(r, x) (a pending sum P is reduced there)");
  }

  /// The extents of the whole tensor.
  [[nodiscard]] extents_type const& global_shape() const noexcept { return extents_; }
  /// The extents of this rank's piece.
  [[nodiscard]] decltype(auto) shape() const noexcept { return local().shape(); }
  /// What this rank holds, the spec erased: a typed tensor (or a variable).
  [[nodiscard]] Inner const& typed() const& noexcept { return inner_; }
  [[nodiscard]] Inner&& typed() && noexcept { return std::move(inner_); }
  /// This rank's piece.
  [[nodiscard]] local_type const& local() const& noexcept { return traits::value(inner_).local(); }

 private:
  Inner inner_;
  extents_type extents_{};
};

namespace detail {
template <class T>
inline constexpr bool is_global = false;
template <class T, class S>
inline constexpr bool is_global<basic_global_tensor<T, S>> = true;
}  // namespace detail

}  // namespace spmd::global

namespace spmd {

/// A tensor of local type `Local` on `Mesh` whose dims are sharded as `Spec` says
/// (spmd::spec<on<"dp", "tp">, on<>, at<"cp", P>>, jax::partition_spec<...> or
/// dtensor_spec<...>); the global extents are run-time values it carries.
template <class Local, any_mesh Mesh, class Spec>
using global_tensor =
    global::basic_global_tensor<basic_tensor<Local, Mesh, global::erased_layout_t<Mesh, spmd::local_ndim<Local>, Spec>>,
                                global::canonical_spec_t<Mesh, spmd::local_ndim<Local>, Spec>>;

/// True for global tensor types (cv-ref qualified or not).
template <class T>
concept global_typed_tensor = global::detail::is_global<std::remove_cvref_t<T>>;

namespace global::detail {
/// `Inner` holding `Tensor` instead: the tensor itself, or a variable of it.
template <class Inner, class Tensor>
struct with_tensor {
  using type = Tensor;
};
template <template <class> class Var, class T, class Tensor>
  requires(!typed_tensor<Var<T>>)
struct with_tensor<Var<T>, Tensor> {
  using type = Var<Tensor>;
};
}  // namespace global::detail

/// A global tensor of the same local type, mesh and kind (tensor or variable) as `X`, with spec
/// `Spec`.
template <global_typed_tensor X, class Spec>
using global_like_t = global::basic_global_tensor<
    typename global::detail::with_tensor<
        typename std::remove_cvref_t<X>::inner_type,
        typename global_tensor<typename std::remove_cvref_t<X>::local_type, typename std::remove_cvref_t<X>::mesh_type,
                               Spec>::tensor_type>::type,
    typename global_tensor<typename std::remove_cvref_t<X>::local_type, typename std::remove_cvref_t<X>::mesh_type,
                           Spec>::spec_type>;

namespace global {

namespace detail {
template <class Mesh, class Dim>
std::string dim_suffix() {
  if constexpr (Dim::count == 0) {
    return "";
  } else {
    std::string out = "@";
    if (Dim::count > 1) out += '(';
    for (std::size_t p = 0; p < Dim::count; ++p) out += (p ? "," : "") + std::string(Dim::names[p]);
    if (Dim::count > 1) out += ')';
    return out;
  }
}

template <class X, class Dims>
struct spec_text;
template <class X, class... Entries>
struct spec_text<X, spec<Entries...>> {
  /// "8@(dp,tp),16" from the extents (or "*" for each where none are given).
  template <class Extent>
  static std::string dims(Extent extent) {
    using mesh = typename X::mesh_type;
    std::string out;
    std::size_t d = 0;
    auto one = [&]<class E>(std::type_identity<E>) {
      if constexpr (spmd::global::detail::is_dim<E>) {
        out += (d ? "," : "") + extent(d) + dim_suffix<mesh, E>();
        ++d;
      }
    };
    (one(std::type_identity<Entries>{}), ...);
    return out;
  }
};

/// "{cp:P}": the placements of the axes that shard no dim ("" if every axis shards one).
template <class X>
std::string whole_axes_text() {
  using mesh = typename X::mesh_type;
  std::string out;
  for_each_axis<mesh>([&]<std::size_t K>() {
    using Pl = placement_at_t<typename X::layout_type, K>;
    if constexpr (!shard_placement<Pl>)
      out += (out.empty() ? "" : ",") + std::string(mesh::names[K]) + ":" + placement_name<Pl>();
  });
  return out.empty() ? out : "{" + out + "}";
}
}  // namespace detail

/// The printed type of a global tensor, e.g. "f32[*@(dp,tp),*]{cp:P}": element type, a `*` per
/// dim with the axes that shard it, and the placements of the other axes.
template <global_typed_tensor T>
std::string type_name() {
  using X = std::remove_cvref_t<T>;
  return std::string(element_name<typename X::value_type>) + "[" +
         detail::spec_text<X, typename X::spec_type>::dims([](std::size_t) { return std::string("*"); }) + "]" +
         detail::whole_axes_text<X>();
}

/// The printed form of a global tensor value, e.g. "f32[8@(dp,tp),16]{cp:P}": type_name with the
/// global extents.
template <global_typed_tensor T>
std::string describe(T const& x) {
  using X = std::remove_cvref_t<T>;
  return std::string(element_name<typename X::value_type>) + "[" +
         detail::spec_text<X, typename X::spec_type>::dims(
             [&](std::size_t d) { return std::to_string(x.global_shape()[d]); }) +
         "]" + detail::whole_axes_text<X>();
}

}  // namespace global
}  // namespace spmd
