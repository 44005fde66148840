// spmd/runtime/detail/mpi_rank.hpp - mpi::rank: this process's place in the mesh and the
// communicators of its groups (one per axis at the start, flattened ones on first use). Private to
// <spmd/runtime/mpi.hpp>.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spmd/runtime/communicator.hpp>
#include <spmd/runtime/detail/mesh_spec.hpp>
#include <spmd/runtime/detail/mpi_agreement.hpp>
#include <spmd/runtime/detail/mpi_communicator.hpp>
#include <spmd/runtime/detail/mpi_options.hpp>
#include <spmd/runtime/detail/mpi_support.hpp>
#include <spmd/runtime/detail/process_rank.hpp>

namespace spmd::mpi {

/// One rank of a running mesh (this process); run() passes it to the user function by reference.
/// Same members as spmd::threads::rank. Use it from the thread that called run().
class rank : public runtime::detail::process_rank<rank, communicator> {
 public:
  rank(rank const&) = delete;
  rank& operator=(rank const&) = delete;
  ~rank() {
    free_groups();
    m_.dog.reset();
    if (m_.comm != MPI_COMM_NULL) MPI_Comm_free(&m_.comm);
  }

 private:
  friend class runtime::detail::process_rank<rank, communicator>;
  friend void detail::run_mesh(std::vector<std::pair<std::string, std::size_t>> const&, void (*)(void*, rank&), void*,
                               options const&);

  /// Creates the mesh's communicators: collective over every rank, under the watchdog if any.
  explicit rank(detail::mesh_state&& m) : m_(std::move(m)) {
    {
      std::string const world = "the whole mesh";
      detail::armed const watch(m_.dog.get(), detail::op_kind::group_creation, &world);
      detail::check(MPI_Comm_dup(MPI_COMM_WORLD, &m_.comm), "MPI_Comm_dup", [] { return std::string("mpi::run"); });
    }
    detail::check(MPI_Comm_set_errhandler(m_.comm, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler",
                  [] { return std::string("mpi::run"); });
    make_axis_groups();
  }

  /// The group of the ranks that differ from this one only on the axes in `mask`. An axis's group
  /// (made by the constructor, every rank at the same time): by MPI_Comm_split over the whole
  /// mesh; a flattened group: by MPI_Comm_create_group (only the group's ranks call it).
  std::unique_ptr<communicator> make_group(std::uint64_t mask) {
    bool const split = axis_comms_.size() < m_.names.size();
    auto g = runtime::detail::members_of(m_, mask);
    std::string const& name = g.name;
    auto const where = [&name] { return "rank::comm(\"" + name + "\")"; };
    MPI_Comm c = MPI_COMM_NULL;
    // A rank whose peers never come (they create other groups first, or failed) ends the job
    // here too, under the timeout.
    detail::armed const watch(m_.dog.get(), detail::op_kind::group_creation, &name);
    if (split) {
      detail::check(MPI_Comm_split(m_.comm, static_cast<int>(g.base), static_cast<int>(g.group_rank), &c),
                    "MPI_Comm_split", where);
    } else {
      std::vector<int> ranks(g.members.begin(), g.members.end());
      MPI_Group world_group = MPI_GROUP_NULL, group = MPI_GROUP_NULL;
      detail::check(MPI_Comm_group(m_.comm, &world_group), "MPI_Comm_group", where);
      int rc = MPI_Group_incl(world_group, static_cast<int>(ranks.size()), ranks.data(), &group);
      MPI_Group_free(&world_group);
      detail::check(rc, "MPI_Group_incl", where);
      rc = MPI_Comm_create_group(m_.comm, group, static_cast<int>(mask % 32749u), &c);
      MPI_Group_free(&group);
      detail::check(rc, "MPI_Comm_create_group", where);
    }
    detail::check(MPI_Comm_set_errhandler(c, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler", where);
    return std::unique_ptr<communicator>(new communicator(c, name, std::move(g.members), g.group_rank, m_));
  }

  detail::mesh_state m_;
};

static_assert(spmd::rank_context<rank>);

}  // namespace spmd::mpi
