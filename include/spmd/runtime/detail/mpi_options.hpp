// spmd/runtime/detail/mpi_options.hpp - the run-time options of mpi::run (the agreement check and
// the timeout), whose defaults come from the environment. Private to <spmd/runtime/mpi.hpp>.
#pragma once

#include <spmd/runtime/detail/mpi_support.hpp>

namespace spmd::mpi {

/// Run-time options of mpi::run. The defaults come from the environment, so that a job can be
/// switched to checked mode without recompiling: `SPMD_MPI_CHECK=1 mpirun -np 4 ./prog`.
struct options {
  /// Before every collective, check that all ranks of the group agree (same collective and element
  /// type, same counts, equal sizes, same root, all_to_all counts that pair up); a disagreement
  /// (or a bad argument on any rank) then throws the same comm_error on every rank of the group,
  /// like the threads runtime, instead of MPI's undefined behaviour (wrong data, an MPI error or a
  /// hang). Costs one MPI_Allreduce of 10 integers per collective (plus an MPI_Alltoall of the
  /// counts for all_to_all). Default: the environment variable SPMD_MPI_CHECK (1/true/yes/on).
  bool check_agreement = detail::env_flag("SPMD_MPI_CHECK");
  /// If > 0: a collective (or the creation of a group's communicator) that has not completed on
  /// this rank after this many seconds ends the job (the process exits with code 1, mpirun ends
  /// the others) with "spmd: rank N failed: all_reduce_sum on group 'tp' did not complete within
  /// ... s". Catches ranks that finished early or wait in another collective; a rank that has
  /// returned waits at most twice this long for the others before it ends the job. 0, infinity or
  /// more than 1e9 s: no timeout; negative or NaN: run() throws std::invalid_argument.
  /// Default: the environment variable SPMD_MPI_TIMEOUT (seconds; "inf" = no timeout; a value
  /// that is not a number throws std::invalid_argument here).
  double timeout_seconds = detail::env_seconds("SPMD_MPI_TIMEOUT");
};

}  // namespace spmd::mpi
