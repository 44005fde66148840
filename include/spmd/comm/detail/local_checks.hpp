// spmd/comm/detail/local_checks.hpp - the first check of every typed collective and convert: can
// it move the data of this local tensor type (buffer_tensor, row_major_tensor)? One diagnostic,
// naming the first missing piece, at the user's call.
#pragma once

#include <type_traits>

#include <spmd/core/meta.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/local/buffer.hpp>

namespace spmd::comm::detail {

/// True if the collectives can move `Local`'s data (buffer_tensor); otherwise a static_assert
/// says which piece is missing and this returns false.
template <class Local>
consteval bool movable_local() {
  if constexpr (!communicable_element<typename Local::value_type>) {
    static_assert(spmd::detail::always_false<Local>,
                  "spmd: the collectives move float or double elements only (what the communicators send); this "
                  "local tensor type's value_type is neither");
    return false;
  } else if constexpr (!editable_shape<shape_type_of<Local>>) {
    static_assert(spmd::detail::always_false<Local>,
                  "spmd: the collectives need the local tensor's shape() to return a copyable list of extents "
                  "with size(), operator[] and assignable extents (std::array<std::size_t, ndim> is one)");
    return false;
  } else if constexpr (!readable_data<Local> || !writable_data<Local>) {
    static_assert(spmd::detail::always_false<Local>,
                  "spmd: the collectives write into the local tensor: it needs a non-const data() that returns "
                  "value_type* (and a const one returning value_type const*) pointing at its contiguous elements");
    return false;
  } else if constexpr (!shape_constructible<Local>) {
    static_assert(spmd::detail::always_false<Local>,
                  "spmd: the collectives make local tensors of a given shape: the local tensor type needs a "
                  "constructor from its shape type, Local(shape)");
    return false;
  } else {
    return true;
  }
}

/// movable_local, and data() in row-major order: for the collectives that cut S<d> chunks out of
/// the data or join them (reduce_scatter, all_gather, all_to_all, convert R|I -> S<d>, S<d> -> P).
template <class Local>
consteval bool sliceable_local() {
  if constexpr (!movable_local<Local>()) {
    return false;
  } else if constexpr (!row_major_order<Local>) {
    static_assert(spmd::detail::always_false<Local>,
                  "spmd: this collective splits or joins the local tensor along a dim, which needs data() in "
                  "row-major order; if the type is row-major, declare `static constexpr bool row_major = true;` in "
                  "it, otherwise copy to a row-major type first (all_reduce works on any element order)");
    return false;
  } else {
    return true;
  }
}

/// Whether convert can move the data of `Local` from `Src` to `Dst` (else a diagnostic): R|I ->
/// S<d> and S<d> -> P cut or place a chunk along d, which needs row-major data.
template <class Local, class Src, class Dst>
consteval bool convertible_local() {
  constexpr bool whole_src = of_kind<Src, placement_kind::replicate, placement_kind::invariant>;
  if constexpr ((whole_src && shard_placement<Dst>) || (shard_placement<Src> && std::is_same_v<Dst, P>))
    return sliceable_local<Local>();
  else
    return movable_local<Local>();
}

/// The local tensor type of a typed tensor type (cv-ref qualified or not).
template <class T>
using local_of = typename std::remove_cvref_t<T>::local_type;

}  // namespace spmd::comm::detail
