// spmd/runtime/mpi.hpp - the MPI runtime: one rank per MPI process, a mesh of named axes over
// MPI_COMM_WORLD, and collectives that are MPI's own (MPI_Allreduce, MPI_Reduce_scatter[_block],
// MPI_Allgather[v], MPI_Alltoall[v], MPI_Bcast, MPI_Barrier).
//
//   spmd::mpi::run({{"dp", 2}, {"tp", 2}}, [](spmd::mpi::rank& r) {   // mpirun -np 4 ./prog
//     std::vector<float> g = ...;
//     r.comm("dp").all_reduce_sum(g);
//   });
//
// It offers the same interface as the threads runtime (<spmd/runtime/threads.hpp>): mpi::rank and
// mpi::communicator model spmd::rank_context and spmd::communicator, so a program written against
// those concepts (every typed collective is) runs on either. Differences, see docs/mpi.md:
//  - a rank whose function throws ends the whole job: it prints "spmd: rank N failed: <what>" and
//    calls MPI_Abort (the threads runtime instead makes every other rank's collective throw
//    comm_error and rethrows from run());
//  - the ranks' agreement (same collective, counts, sizes, root) is checked only when asked for
//    (options::check_agreement, SPMD_MPI_CHECK=1): it costs one small MPI_Allreduce per
//    collective. Each rank's own arguments (buffer sizes against counts, roots, INT_MAX) are
//    always checked, for free;
//  - a collective that waits for a rank that finished or waits elsewhere is not detected unless a
//    timeout is set (options::timeout_seconds, SPMD_MPI_TIMEOUT=<s>); the watchdog then prints the
//    message and exits the process (std::_Exit, not MPI_Abort: see mpi_support.hpp), and mpirun
//    ends the others.
//
// This umbrella is what users include; <mpi.h> comes in as the C API (the deprecated C++ bindings
// are skipped), and no other public header of the library includes it.
// The parts, each in its own header under runtime/detail/: mpi_options.hpp (options),
// mpi_communicator.hpp (communicator), mpi_agreement.hpp (groups; the agreement protocol's MPI
// transport, the protocol being the shared agreement.hpp), mpi_rank.hpp
// (rank), mpi_environment.hpp (environment), mpi_run.hpp (run), on mpi_support.hpp (MPI errors,
// the watchdog) and mpi_launch.hpp (the ranks' meeting at the start and the end of run).
#pragma once

#include <spmd/runtime/comm_error.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/runtime/detail/mpi_communicator.hpp>
#include <spmd/runtime/detail/mpi_environment.hpp>
#include <spmd/runtime/detail/mpi_options.hpp>
#include <spmd/runtime/detail/mpi_rank.hpp>
#include <spmd/runtime/detail/mpi_run.hpp>
