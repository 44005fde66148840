// spmd/runtime/detail/collective_kind.hpp - the names of the collectives and element types, shared
// by the runtimes for their agreement checks and error messages.
#pragma once

#include <cstdint>
#include <type_traits>

namespace spmd::runtime::detail {

/// The collective a rank is in (a 64-bit value, so that MPI can all-reduce it for agreement).
enum class op_kind : std::uint64_t {
  none,
  all_reduce_sum,
  reduce_scatter_sum,
  all_gather,
  all_to_all,
  broadcast,
  barrier,
  agree_split,     // the split-size check of a convert to an uneven shard
  mesh_check,      // MPI: the ranks compare their meshes at the start of run()
  group_creation,  // MPI: creating a group's communicator
  teardown,        // MPI: freeing the communicators and finalizing
};

[[nodiscard]] inline char const* op_name(op_kind op) noexcept {
  switch (op) {
    case op_kind::all_reduce_sum:
      return "all_reduce_sum";
    case op_kind::reduce_scatter_sum:
      return "reduce_scatter_sum";
    case op_kind::all_gather:
      return "all_gather";
    case op_kind::all_to_all:
      return "all_to_all";
    case op_kind::broadcast:
      return "broadcast";
    case op_kind::barrier:
      return "barrier";
    case op_kind::agree_split:
      return "convert";
    case op_kind::mesh_check:
      return "checking the mesh";
    case op_kind::group_creation:
      return "creating the communicator";
    case op_kind::teardown:
      return "finalizing";
    case op_kind::none:
      break;
  }
  return "(no collective)";
}

/// The element type of a collective's buffers.
enum class elem_kind : std::uint64_t { none, f32, f64 };

template <class T>
inline constexpr elem_kind elem_of = std::is_same_v<T, float> ? elem_kind::f32 : elem_kind::f64;

[[nodiscard]] inline char const* elem_name(elem_kind e) noexcept {
  switch (e) {
    case elem_kind::f32:
      return "float";
    case elem_kind::f64:
      return "double";
    case elem_kind::none:
      break;
  }
  return "";
}

}  // namespace spmd::runtime::detail
