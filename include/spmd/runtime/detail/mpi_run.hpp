// spmd/runtime/detail/mpi_run.hpp - mpi::run: MPI started if needed, the mesh checked against the
// world and the other ranks, the user function run, and the job ended on its failure. Private to
// <spmd/runtime/mpi.hpp>.
#pragma once

#include <climits>
#include <concepts>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <spmd/runtime/detail/erased_fn.hpp>
#include <spmd/runtime/detail/mesh_spec.hpp>
#include <spmd/runtime/detail/mpi_launch.hpp>
#include <spmd/runtime/detail/mpi_options.hpp>
#include <spmd/runtime/detail/mpi_rank.hpp>
#include <spmd/runtime/detail/mpi_support.hpp>

namespace spmd::mpi {

namespace detail {

inline void run_mesh(std::vector<std::pair<std::string, std::size_t>> const& mesh_sizes, void (*call)(void*, rank&),
                     void* fn, options const& opts) {
  auto spec = runtime::detail::checked_mesh(mesh_sizes, "mpi::run", static_cast<std::size_t>(INT_MAX));
  double const timeout = effective_timeout(opts.timeout_seconds);
  std::string all_axes;  // "dp,tp": the watchdog's name for the whole mesh
  for (auto const& n : spec.names) all_axes += (all_axes.empty() ? "" : ",") + n;

  // Declared before `fin`, so that it still runs while MPI_Finalize does (see the end).
  std::optional<watchdog> teardown;
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (finalized)
    throw std::logic_error(
        "spmd: mpi::run: MPI has already been finalized (an earlier mpi::run initialised and finalized it); to run "
        "several meshes in one program, create an spmd::mpi::environment at the top of main()");
  struct finalizer {
    bool owns = false;
    ~finalizer() {
      if (owns) MPI_Finalize();
    }
  } fin;
  if (initialized == 0) {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread",
          [] { return std::string("mpi::run"); });
    fin.owns = true;
  }

  int world = 0, me = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &world);
  MPI_Comm_rank(MPI_COMM_WORLD, &me);
  std::size_t const index = static_cast<std::size_t>(me);
  std::unique_ptr<watchdog> dog;
  if (timeout > 0) dog = std::make_unique<watchdog>(timeout, index);
  {
    armed const watch(dog.get(), op_kind::mesh_check, &all_axes);
    check_same_mesh(spec.text, static_cast<std::size_t>(world));
  }
  if (spec.world_size != static_cast<std::size_t>(world))
    throw std::invalid_argument("spmd: mpi::run: the mesh " + spec.text + " has " + std::to_string(spec.world_size) +
                                " ranks but MPI_COMM_WORLD has " + std::to_string(world) +
                                " processes; start the program with mpirun -np " + std::to_string(spec.world_size) +
                                ", or choose axis sizes whose product is " + std::to_string(world));
  mesh_state m;
  m.check_agreement = opts.check_agreement;
  m.place(std::move(spec), index);
  m.dog = std::move(dog);

  std::unique_ptr<rank> r;
  try {
    r.reset(new rank(std::move(m)));
  } catch (std::exception const& e) {
    abort_job(index, e.what());
  }
  try {
    call(fn, *r);
  } catch (std::exception const& e) {
    abort_job(index, e.what());
  } catch (...) {
    abort_job(index, "an exception not derived from std::exception");
  }
  await_all_ranks(r->m_.comm, index, timeout);
  // Every rank has returned: freeing the communicators and MPI_Finalize complete unless the MPI
  // library itself is stuck, which the timeout still bounds.
  if (timeout > 0) {
    teardown.emplace(timeout, index);
    teardown->begin(op_kind::teardown, &all_axes);
  }
  r.reset();  // frees the communicators (collective) before MPI_Finalize
}

}  // namespace detail

/// Runs fn(rank&) on this process as rank MPI_COMM_WORLD-rank of the mesh (axis name, size; in
/// mesh order), and returns when fn has returned. Start the program with mpirun -np <product of
/// the sizes>; a different world size, or meshes that differ between the ranks, throw
/// std::invalid_argument on every rank, naming both. Initialises MPI if needed (MPI_Init_thread,
/// MPI_THREAD_FUNNELED) and then finalizes it before returning (see environment to run several
/// meshes). Once fn has returned, waits for every rank's fn to return (a polled MPI_Ibarrier; with
/// a timeout, at most twice options::timeout_seconds) before freeing anything.
///
/// If fn throws on a rank, that rank prints "spmd: rank N failed: <what()>" to stderr and calls
/// MPI_Abort(MPI_COMM_WORLD, 1): every process of the job ends and mpirun exits non-zero. (The
/// threads runtime's "every other rank's collective throws comm_error, run() rethrows" becomes
/// "the job aborts".) Axis sizes must be >= 1, names non-empty, distinct and free of ','
/// (std::invalid_argument).
template <class F>
  requires std::invocable<F&, rank&>
void run(std::vector<std::pair<std::string, std::size_t>> const& mesh_sizes, F&& fn, options const& opts = options{}) {
  detail::run_mesh(mesh_sizes, &runtime::detail::call_erased<std::remove_reference_t<F>, rank>,
                   runtime::detail::erased(fn), opts);
}

}  // namespace spmd::mpi
