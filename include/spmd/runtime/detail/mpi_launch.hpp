// spmd/runtime/detail/mpi_launch.hpp - the start and the end of mpi::run that involve every rank:
// at the start the ranks compare their meshes; at the end a rank whose function returned waits for
// all others before anything is freed. Private to <spmd/runtime/mpi.hpp>.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <spmd/runtime/detail/mpi_support.hpp>

namespace spmd::mpi::detail {

/// Rank `root`'s `text` on every rank of `comm`.
[[nodiscard]] inline std::string broadcast_text(std::string const& text, int root, MPI_Comm comm) {
  int me = 0;
  MPI_Comm_rank(comm, &me);
  std::uint64_t len = me == root ? text.size() : 0;
  MPI_Bcast(&len, 1, MPI_UINT64_T, root, comm);
  std::string out = me == root ? text : std::string(len, ' ');
  MPI_Bcast(out.data(), static_cast<int>(len), MPI_CHAR, root, comm);
  return out;
}

/// Every rank compares its mesh with the others' (one MPI_Allreduce over MPI_COMM_WORLD); if they
/// differ, every rank throws the same std::invalid_argument naming rank 0's mesh and the first
/// that differs. Without this, ranks with meshes in different orders number the ranks of flattened
/// groups differently and exchange the wrong blocks without any error.
inline void check_same_mesh(std::string const& text, std::size_t world) {
  std::uint64_t const h = hash_text(text);
  std::uint64_t red[2] = {h, ~h};
  MPI_Allreduce(MPI_IN_PLACE, red, 2, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
  if (red[0] == ~red[1]) [[likely]]
    return;
  std::vector<std::uint64_t> all(world);
  MPI_Allgather(&h, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD);
  std::size_t s = 1;
  while (s < world && all[s] == all[0]) ++s;
  std::string const first = broadcast_text(text, 0, MPI_COMM_WORLD);
  std::string const other = broadcast_text(text, static_cast<int>(s), MPI_COMM_WORLD);
  throw std::invalid_argument("spmd: mpi::run: the ranks were given different meshes: rank 0 " + first + ", rank " +
                              std::to_string(s) + " " + other +
                              "; every rank must pass the same mesh (same axes in the same order, same sizes)");
}

/// After this rank's function returned: waits until every rank's has (a polled MPI_Ibarrier)
/// before anything is freed or finalized. A rank sitting in MPI_Finalize while a peer is ended by
/// the watchdog can leave OpenMPI's mpirun hanging or crashing; a rank that polls here is simply
/// ended by mpirun with the rest of the job. With a timeout, after twice the limit (so that a
/// peer's watchdog, which knows where it waits, speaks first) this rank ends the job itself.
inline void await_all_ranks(MPI_Comm comm, std::size_t index, double timeout_seconds) {
  MPI_Request req = MPI_REQUEST_NULL;
  if (MPI_Ibarrier(comm, &req) != MPI_SUCCESS) abort_job(index, "MPI_Ibarrier failed at the end of mpi::run");
  auto const start = std::chrono::steady_clock::now();
  auto pause = std::chrono::microseconds(20);
  for (;;) {
    int done = 0;
    if (MPI_Test(&req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
      abort_job(index, "MPI_Test failed at the end of mpi::run");
    if (done != 0) return;
    if (timeout_seconds > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > 2 * timeout_seconds) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%g", 2 * timeout_seconds);
      abort_job(index,
                (std::string("returned from its function, but the other ranks had not returned from theirs ") +
                 seconds + " s later (twice SPMD_MPI_TIMEOUT): a rank waits in a collective this rank never joined")
                    .c_str());
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(5000));
  }
}

}  // namespace spmd::mpi::detail
