// spmd/tensor.hpp - spmd::tensor<Local, Mesh, Layout>: a per-rank tensor whose type carries its sharding.
//
// The wrapper only composes: the local tensor holds the data, the mesh and the layout are types.
// It adds nothing at run time (same size as the local tensor); the ops in spmd/ops/ use its type.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <spmd/core/grad.hpp>
#include <spmd/core/layout.hpp>
#include <spmd/core/mesh.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/local/concept.hpp>
#include <spmd/rules/layout_change.hpp>

namespace spmd {

namespace detail {
/// The tag of basic_tensor's constructor from a function's result (ops/define.hpp).
struct from_result_t {
  explicit from_result_t() = default;
};
inline constexpr from_result_t from_result{};

template <class Local, placement P>
consteval bool shard_dim_in_range() {
  if constexpr (shard_placement<P>)
    return static_cast<std::size_t>(P::dim) < spmd::local_ndim<Local>;
  else
    return true;
}
}  // namespace detail

/// The typed tensor, with a positional layout (one placement per mesh axis, in mesh order).
/// Users spell it through the alias `spmd::tensor`, which also accepts named layouts.
template <class Local, class Mesh, class Layout>
class basic_tensor {
  static_assert(local_tensor<Local>,
                "spmd: tensor<Local, Mesh, Layout>: Local must model spmd::local_tensor (value_type, "
                "static ndim, shape(), data()); e.g. spmd::local::dense<float, 2>");
  static_assert(any_mesh<Mesh>, "spmd: tensor<Local, Mesh, Layout>: Mesh must be a spmd::mesh<\"axis\", ...>");
  static_assert(canonical_layout<Layout>, "spmd: tensor<Local, Mesh, Layout>: Layout must be a layout<...>");
};

namespace detail {
// A variable rather than a fold in the constraint: clang-format 14 misreads a fold there.
template <class... Ps>
inline constexpr bool all_placements = (... && placement<Ps>);
}  // namespace detail

template <class Local, class Mesh, class... Ps>
  requires local_tensor<Local> && any_mesh<Mesh> && detail::all_placements<Ps...>
class basic_tensor<Local, Mesh, layout<Ps...>> {
  static_assert(sizeof...(Ps) == Mesh::axis_count, "spmd: the layout needs exactly one placement per mesh axis");
  static_assert((detail::shard_dim_in_range<Local, Ps>() && ...),
                "spmd: a layout has S<d> with d >= the local tensor's number of dims; S<d> must name a dim of "
                "the tensor");

 public:
  using local_type = Local;
  using mesh_type = Mesh;
  using layout_type = layout<Ps...>;
  using value_type = typename Local::value_type;
  /// Number of dims of the local tensor.
  static constexpr std::size_t ndim = local_ndim<Local>;
  /// The number of dims under its old name (a rank is a process; see docs/README.md, Renamed).
  [[deprecated("spmd: use ndim")]] static constexpr std::size_t rank = ndim;

  basic_tensor() = default;
  /// Wraps this rank's piece of the tensor. The placement is a claim the program makes; it is
  /// not checked against the data (no run-time cost).
  explicit basic_tensor(Local local) noexcept(std::is_nothrow_move_constructible_v<Local>) : local_(std::move(local)) {}
  /// Wraps the local tensor that `make()` returns, constructed in place (no move): how an op
  /// wraps its kernel's result.
  template <class Make>
    requires std::is_same_v<std::invoke_result_t<Make>, Local> basic_tensor(detail::from_result_t, Make&& make)
        : local_(std::forward<Make>(make)()) {}

    /// A tensor of another layout never converts: this constructor exists only to say why, and
    /// what to call instead, when a program returns or passes a tensor of the wrong layout.
    template <class OtherLayout>
      requires(!std::is_same_v<OtherLayout, layout_type>)
    basic_tensor(basic_tensor<Local, Mesh, OtherLayout> const&) {                        // NOLINT: implicit on purpose
      static_cast<void>(rules::implicit_layout_change<Mesh, OtherLayout, layout_type>);  // diagnoses each axis
    }

    /// This rank's piece.
    [[nodiscard]] Local& local() & noexcept {
      return local_;
    }
    [[nodiscard]] Local const& local() const& noexcept {
      return local_;
    }
    [[nodiscard]] Local&& local() && noexcept {
      return std::move(local_);
    }

    /// Extents of this rank's piece.
    [[nodiscard]] decltype(auto) shape() const noexcept(noexcept(std::declval<Local const&>().shape())) {
      return local_.shape();
    }

   private:
    Local local_;
};

/// A tensor of local type `Local` (e.g. `dense<float, 2>`) on `Mesh`, placed by `Layout`
/// (positional `layout<R, S<0>>` or named `layout<at<"tp", S<0>>, at<"dp", R>>`).
/// Both spellings of the same layout name the same type.
template <class Local, any_mesh Mesh, class Layout>
using tensor = basic_tensor<Local, Mesh, resolve_layout_t<Mesh, Layout>>;

namespace detail {
template <class T>
inline constexpr bool is_tensor = false;
template <class L, class M, class Lay>
inline constexpr bool is_tensor<basic_tensor<L, M, Lay>> = true;
}  // namespace detail

/// True for spmd tensor types (cv-ref qualified or not).
template <class T>
concept typed_tensor = detail::is_tensor<std::remove_cvref_t<T>>;

/// The gradient type of a tensor: same local type and mesh, layout mapped by grad_t.
template <class Local, class Mesh, class Layout>
struct grad_of<basic_tensor<Local, Mesh, Layout>> {
  using type = basic_tensor<Local, Mesh, grad_t<Layout>>;
};

/// The placement of tensor type `T` on mesh axis `Axis`.
template <typed_tensor T, fixed_string Axis>
using placement_on_t = placement_at_t<typename std::remove_cvref_t<T>::layout_type,
                                      axis_index<typename std::remove_cvref_t<T>::mesh_type, Axis>>;

}  // namespace spmd
