// spmd/runtime/detail/mpi_agreement.hpp - the MPI runtime's groups and the transport of its
// agreement protocol: which group a communicator is (its MPI communicator, size, rank, name,
// members), and the MPI calls with which runtime::detail::agree (detail/agreement.hpp) checks that
// every rank of a group called the same collective with arguments that fit together
// (options::check_agreement). Private to <spmd/runtime/mpi.hpp>.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <spmd/runtime/comm_error.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/runtime/detail/agreement.hpp>
#include <spmd/runtime/detail/mpi_support.hpp>
#include <spmd/runtime/detail/process_rank.hpp>
#include <spmd/runtime/detail/split_messages.hpp>

namespace spmd::mpi::detail {

/// The mesh as one process sees it (its place in runtime::detail::mesh_place: index == rank in
/// MPI_COMM_WORLD).
struct mesh_state : runtime::detail::mesh_place {
  bool check_agreement = false;   // options::check_agreement
  MPI_Comm comm = MPI_COMM_NULL;  // a duplicate of MPI_COMM_WORLD, MPI_ERRORS_RETURN
  std::unique_ptr<watchdog> dog;
};

/// One group of ranks as this rank sees it: what a communicator is, and how messages name its
/// ranks (runtime::detail::group_labels).
struct group : runtime::detail::group_labels<group> {
  MPI_Comm comm = MPI_COMM_NULL;
  std::size_t size = 0;
  std::size_t rank = 0;              // this rank's index in the group
  std::string name;                  // the group's axes, comma-separated in mesh order
  std::vector<std::size_t> members;  // the mesh index of each group rank
  mesh_state const* m = nullptr;

  /// "all_gather on group 'tp'", as a callable: the string is only built on an error.
  struct where_t {
    group const* g;
    op_kind op;
    [[nodiscard]] std::string operator()() const { return std::string(op_name(op)) + " on group '" + g->name + "'"; }
  };
  [[nodiscard]] where_t where(op_kind op) const noexcept { return {this, op}; }
};

/// The agreement protocol's transport (runtime::detail::agree): MPI's collectives on the group's
/// communicator; an MPI error becomes comm_error naming the call.
struct transport {
  group const& g;
  op_kind op;

  void max(std::span<std::uint64_t> v) const {
    check(MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_UINT64_T, MPI_MAX, g.comm),
          "MPI_Allreduce", g.where(op));
  }
  [[nodiscard]] std::vector<std::uint64_t> gather(std::span<std::uint64_t const> mine) const {
    std::vector<std::uint64_t> all(mine.size() * g.size);
    check(MPI_Allgather(mine.data(), static_cast<int>(mine.size()), MPI_UINT64_T, all.data(),
                        static_cast<int>(mine.size()), MPI_UINT64_T, g.comm),
          "MPI_Allgather", g.where(op));
    return all;
  }
  [[nodiscard]] std::string broadcast_text(std::string const& text, std::size_t root) const {
    std::uint64_t len = g.rank == root ? text.size() : 0;
    check(MPI_Bcast(&len, 1, MPI_UINT64_T, static_cast<int>(root), g.comm), "MPI_Bcast", g.where(op));
    std::string out = g.rank == root ? text : std::string(len, ' ');
    check(MPI_Bcast(out.data(), static_cast<int>(len), MPI_CHAR, static_cast<int>(root), g.comm), "MPI_Bcast",
          g.where(op));
    return out;
  }
  void all_to_all(std::span<std::uint64_t const> sent, std::span<std::uint64_t> got) const {
    check(MPI_Alltoall(sent.data(), 1, MPI_UINT64_T, got.data(), 1, MPI_UINT64_T, g.comm), "MPI_Alltoall", g.where(op));
  }
};

/// The agreement protocol's transport on group `g` for collective `op` (found by
/// runtime::detail::process_communicator next to the group type).
[[nodiscard]] inline transport agreement_transport(group const& g, op_kind op) noexcept {
  return {g, op};
}

}  // namespace spmd::mpi::detail
