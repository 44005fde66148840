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
//    timeout is set (options::timeout_seconds, SPMD_MPI_TIMEOUT=<s>), which then ends the job.
//
// This is the only public header of the library that includes <mpi.h> (as the C API; the
// deprecated C++ bindings are skipped).
#pragma once

#include <algorithm>
#include <chrono>
#include <climits>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <spmd/runtime/comm_error.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/runtime/detail/buffer_checks.hpp>
#include <spmd/runtime/detail/mesh_spec.hpp>
#include <spmd/runtime/detail/mpi_agreement.hpp>
#include <spmd/runtime/detail/mpi_launch.hpp>
#include <spmd/runtime/detail/mpi_support.hpp>
#include <spmd/runtime/detail/split_messages.hpp>

namespace spmd::mpi {

class rank;

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

namespace detail {


inline void run_mesh(std::vector<std::pair<std::string, std::size_t>> const& mesh_sizes, void (*call)(void*, rank&),
              void* fn, options const& opts);

}  // namespace detail

/// The communicator of one group of ranks (one mesh axis, or several flattened) as seen by one
/// rank; wraps an MPI communicator. Obtained from rank::comm(); models spmd::communicator. Every
/// collective is a single call of MPI's own collective on the caller's buffers (no staging copy,
/// no allocation), after checks of this rank's arguments; with options::check_agreement, after a
/// check that all ranks agree. An MPI error becomes a comm_error carrying MPI's error string.
class communicator {
 public:
  communicator(communicator const&) = delete;
  communicator& operator=(communicator const&) = delete;
  ~communicator() {
    if (g_.comm != MPI_COMM_NULL) MPI_Comm_free(&g_.comm);
  }

  /// Number of ranks in the group.
  [[nodiscard]] std::size_t size() const noexcept { return g_.size; }
  /// This rank's index in the group.
  [[nodiscard]] std::size_t rank() const noexcept { return g_.rank; }
  /// The group's axes, comma-separated in mesh order: "tp", "dp,tp".
  [[nodiscard]] std::string_view name() const noexcept { return g_.name; }
  /// The mesh index (== MPI_COMM_WORLD rank) of each rank of the group, in group rank order.
  [[nodiscard]] std::span<std::size_t const> world_ranks() const noexcept { return g_.members; }
  /// The MPI communicator (group rank == MPI rank), for calls of your own. Owned by this object.
  [[nodiscard]] MPI_Comm native() const noexcept { return g_.comm; }

  /// In place, element-wise sum over the group (MPI_Allreduce, MPI_IN_PLACE, MPI_SUM). Whether
  /// every rank gets bit-identical results depends on the MPI library's algorithm (OpenMPI's
  /// are deterministic for a given group size and message size).
  /// `shape` (from the typed collectives): the tensor behind `data`; with the agreement check,
  /// every rank must hold the same shape.
  void all_reduce_sum(std::span<float> data, shape_note const& shape = {}) { all_reduce_impl(data, shape); }
  void all_reduce_sum(std::span<double> data, shape_note const& shape = {}) { all_reduce_impl(data, shape); }

  /// `in` is the concatenation of size() blocks, block i has counts[i] elements; `out`
  /// (counts[rank()] elements) gets the sum over the group of block rank(). `out` may be exactly
  /// this rank's block of `in`. MPI_Reduce_scatter_block when all counts are equal, else
  /// MPI_Reduce_scatter. `note` (from the typed collectives) says what the counts count, for the
  /// error messages; `shape`, the tensor behind `in`.
  void reduce_scatter_sum(std::span<float const> in, std::span<float> out, std::span<std::size_t const> counts,
                          split_note const& note = {}, shape_note const& shape = {}) {
    reduce_scatter_impl(in, out, counts, note, shape);
  }
  void reduce_scatter_sum(std::span<double const> in, std::span<double> out, std::span<std::size_t const> counts,
                          split_note const& note = {}, shape_note const& shape = {}) {
    reduce_scatter_impl(in, out, counts, note, shape);
  }

  /// `in` is this rank's block (counts[rank()] elements); `out` gets all blocks concatenated in
  /// rank order (sum(counts) elements). `in` may be exactly this rank's block of `out`
  /// (MPI_IN_PLACE). MPI_Allgather when all counts are equal, else MPI_Allgatherv.
  void all_gather(std::span<float const> in, std::span<float> out, std::span<std::size_t const> counts,
                  split_note const& note = {}, shape_note const& shape = {}) {
    all_gather_impl(in, out, counts, note, shape);
  }
  void all_gather(std::span<double const> in, std::span<double> out, std::span<std::size_t const> counts,
                  split_note const& note = {}, shape_note const& shape = {}) {
    all_gather_impl(in, out, counts, note, shape);
  }

  /// Send block j (send_counts[j] elements) goes to rank j; recv block i (recv_counts[i]
  /// elements) came from rank i. send and recv must not overlap. MPI_Alltoall when every count
  /// is the same, else MPI_Alltoallv. The notes say what the counts count (the split of the send
  /// and of the receive side), for the error messages.
  void all_to_all(std::span<float const> send, std::span<std::size_t const> send_counts, std::span<float> recv,
                  std::span<std::size_t const> recv_counts, split_note const& send_note = {},
                  split_note const& recv_note = {}, shape_note const& shape = {}) {
    all_to_all_impl(send, send_counts, recv, recv_counts, send_note, recv_note, shape);
  }
  void all_to_all(std::span<double const> send, std::span<std::size_t const> send_counts, std::span<double> recv,
                  std::span<std::size_t const> recv_counts, split_note const& send_note = {},
                  split_note const& recv_note = {}, shape_note const& shape = {}) {
    all_to_all_impl(send, send_counts, recv, recv_counts, send_note, recv_note, shape);
  }

  /// Root's `data` to every rank, in place (MPI_Bcast).
  void broadcast(std::span<float> data, std::size_t root) { broadcast_impl(data, root); }
  void broadcast(std::span<double> data, std::size_t root) { broadcast_impl(data, root); }

  /// With the agreement check: checks that every rank of the group passed the same split
  /// (`counts`, with `note` saying what they count), or throws the same comm_error on every rank
  /// (one MPI_Allreduce). Without it: returns at once. Moves no data. The typed convert to an
  /// uneven shard calls it.
  void agree_split(std::span<std::size_t const> counts, split_note const& note = {}) {
    if (!checking()) return;
    auto const op = detail::op_kind::agree_split;
    scope const s(*this, op);
    std::optional<std::string> err;
    if (counts.size() != g_.size)
      err = g_.label(g_.rank) + " passed " + std::to_string(counts.size()) + " counts for a group of " +
            std::to_string(g_.size) + " ranks";
    detail::agree(g_, op, detail::elem_kind::none, detail::hash_counts(counts), 0, err, counts, note, {});
  }

  /// Returns once every rank of the group has called it (MPI_Barrier).
  void barrier() {
    scope const s(*this, detail::op_kind::barrier);
    settle(detail::op_kind::barrier, detail::elem_kind::none, 0, 0, std::nullopt, {});
    detail::check(MPI_Barrier(g_.comm), "MPI_Barrier", g_.where(detail::op_kind::barrier));
  }

 private:
  friend class mpi::rank;

  communicator(MPI_Comm c, std::string name, std::vector<std::size_t> members, std::size_t group_rank,
               detail::mesh_state const& m)
      : g_{c, members.size(), group_rank, std::move(name), std::move(members), &m},
        counts_(g_.size),
        displs_(g_.size),
        recv_counts_(g_.size),
        recv_displs_(g_.size) {}

  /// Marks this rank as inside a collective, for the watchdog.
  struct scope : detail::armed {
    scope(communicator const& c, detail::op_kind op) noexcept : armed(c.g_.m->dog.get(), op, &c.g_.name) {}
  };

  /// Fills dst[i] = counts[i] and displs[i] = prefix sums as ints; an error text if a count, a
  /// displacement or the total exceeds INT_MAX (the largest count one MPI call takes).
  [[nodiscard]] std::optional<std::string> to_ints(std::span<std::size_t const> counts, std::vector<int>& dst,
                                                   std::vector<int>& displs, char const* what) const {
    std::size_t off = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] > detail::int_max || off > detail::int_max || counts[i] > detail::int_max - off)
        return g_.label(g_.rank) + " passed " + what + " " + runtime::detail::format_list(counts) +
               ": a block or the total exceeds INT_MAX (" + std::to_string(detail::int_max) +
               ") elements, the largest count one MPI call takes; split the collective into smaller ones";
      dst[i] = static_cast<int>(counts[i]);
      displs[i] = static_cast<int>(off);
      off += counts[i];
    }
    return std::nullopt;
  }

  [[nodiscard]] static bool all_equal(std::vector<int> const& c, int value) noexcept {
    for (int x : c)
      if (x != value) return false;
    return true;
  }

  [[nodiscard]] bool checking() const noexcept { return g_.m->check_agreement && g_.size > 1; }

  /// After this rank's own checks (`local`: what is wrong, if anything): with the agreement check,
  /// makes every rank of the group agree or throw the same comm_error; otherwise throws `local`.
  void settle(detail::op_kind op, detail::elem_kind elem, std::uint64_t a, std::uint64_t b,
              std::optional<std::string> const& local, std::span<std::size_t const> counts,
              split_note const& note = {}, shape_note const& shape = {}) {
    if (checking())
      detail::agree(g_, op, elem, a, b, local, counts, note, shape);
    else if (local)
      throw g_.error(op, *local, g_.rank);
  }

  template <class T>
  void all_reduce_impl(std::span<T> data, shape_note const& shape) {
    auto const op = detail::op_kind::all_reduce_sum;
    scope const s(*this, op);
    std::optional<std::string> err;
    if (data.size() > detail::int_max)
      err = g_.label(g_.rank) + " passed " + std::to_string(data.size()) + " elements, more than INT_MAX (" +
            std::to_string(detail::int_max) + "), the largest count one MPI call takes; split the buffer";
    settle(op, detail::elem_of<T>, data.size(), 0, err, {}, {}, shape);
    detail::check(MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(data.size()), detail::datatype<T>(),
                                MPI_SUM, g_.comm),
                  "MPI_Allreduce", g_.where(op));
  }

  template <class T>
  void reduce_scatter_impl(std::span<T const> in, std::span<T> out, std::span<std::size_t const> counts,
                           split_note const& note, shape_note const& shape) {
    auto const op = detail::op_kind::reduce_scatter_sum;
    scope const s(*this, op);
    std::optional<std::string> err;
    bool in_place = false;
    if (counts.size() != g_.size) {
      err = g_.label(g_.rank) + " passed " + std::to_string(counts.size()) + " counts for a group of " +
            std::to_string(g_.size) + " ranks";
    } else if ((err = to_ints(counts, counts_, displs_, "counts"))) {
    } else {
      std::size_t const total = static_cast<std::size_t>(displs_[g_.size - 1]) + counts[g_.size - 1];
      bool const own = out.data() == in.data() + displs_[g_.rank];
      in_place = in.size() == total && own;
      err = runtime::detail::block_buffers_error([this] { return g_.label(g_.rank); }, false, in.data(), in.size(), out.data(), out.size(),
                                                counts[g_.rank], total, own, sizeof(T));
    }
    settle(op, detail::elem_of<T>, checking() ? detail::hash_counts(counts) : 0, 0, err, counts, note, shape);
    // MPI has no in-place form that leaves the result inside the input: use a scratch block.
    T* dst = out.data();
    if (in_place) {
      scratch_.resize(out.size() * sizeof(T));
      dst = reinterpret_cast<T*>(scratch_.data());
    }
    if (all_equal(counts_, counts_[0]))
      detail::check(MPI_Reduce_scatter_block(in.data(), dst, counts_[0], detail::datatype<T>(), MPI_SUM, g_.comm),
                    "MPI_Reduce_scatter_block", g_.where(op));
    else
      detail::check(MPI_Reduce_scatter(in.data(), dst, counts_.data(), detail::datatype<T>(), MPI_SUM, g_.comm),
                    "MPI_Reduce_scatter", g_.where(op));
    if (in_place && !out.empty()) std::memcpy(out.data(), dst, out.size() * sizeof(T));
  }

  template <class T>
  void all_gather_impl(std::span<T const> in, std::span<T> out, std::span<std::size_t const> counts,
                       split_note const& note, shape_note const& shape) {
    auto const op = detail::op_kind::all_gather;
    scope const s(*this, op);
    std::optional<std::string> err;
    bool in_place = false;
    if (counts.size() != g_.size) {
      err = g_.label(g_.rank) + " passed " + std::to_string(counts.size()) + " counts for a group of " +
            std::to_string(g_.size) + " ranks";
    } else if ((err = to_ints(counts, counts_, displs_, "counts"))) {
    } else {
      std::size_t const mine = counts[g_.rank];
      std::size_t const total = static_cast<std::size_t>(displs_[g_.size - 1]) + counts[g_.size - 1];
      bool const own = in.data() == out.data() + displs_[g_.rank];
      in_place = mine != 0 && out.size() == total && own;
      err = runtime::detail::block_buffers_error([this] { return g_.label(g_.rank); }, true, out.data(), out.size(), in.data(), in.size(), mine,
                                                total, own, sizeof(T));
    }
    settle(op, detail::elem_of<T>, checking() ? detail::hash_counts(counts) : 0, 0, err, counts, note, shape);
    void const* send = in_place ? MPI_IN_PLACE : static_cast<void const*>(in.data());
    if (all_equal(counts_, counts_[0]))
      detail::check(MPI_Allgather(send, counts_[0], detail::datatype<T>(), out.data(), counts_[0],
                                  detail::datatype<T>(), g_.comm),
                    "MPI_Allgather", g_.where(op));
    else
      detail::check(MPI_Allgatherv(send, counts_[g_.rank], detail::datatype<T>(), out.data(), counts_.data(),
                                   displs_.data(), detail::datatype<T>(), g_.comm),
                    "MPI_Allgatherv", g_.where(op));
  }

  template <class T>
  void all_to_all_impl(std::span<T const> send, std::span<std::size_t const> send_counts, std::span<T> recv,
                       std::span<std::size_t const> recv_counts, split_note const& send_note,
                       split_note const& recv_note, shape_note const& shape) {
    auto const op = detail::op_kind::all_to_all;
    scope const s(*this, op);
    std::optional<std::string> err;
    if (send_counts.size() != g_.size) {
      err = g_.label(g_.rank) + " passed " + std::to_string(send_counts.size()) + " send_counts for a group of " +
            std::to_string(g_.size) + " ranks";
    } else if (recv_counts.size() != g_.size) {
      err = g_.label(g_.rank) + " passed " + std::to_string(recv_counts.size()) + " recv_counts for a group of " +
            std::to_string(g_.size) + " ranks";
    } else if ((err = to_ints(send_counts, counts_, displs_, "send_counts"))) {
    } else if ((err = to_ints(recv_counts, recv_counts_, recv_displs_, "recv_counts"))) {
    } else {
      std::size_t const send_total = static_cast<std::size_t>(displs_[g_.size - 1]) + send_counts[g_.size - 1];
      std::size_t const recv_total = static_cast<std::size_t>(recv_displs_[g_.size - 1]) + recv_counts[g_.size - 1];
      if (send.size() != send_total)
        err = g_.label(g_.rank) + " passed a send buffer of " + std::to_string(send.size()) +
              " elements, send_counts sum to " + std::to_string(send_total);
      else if (recv.size() != recv_total)
        err = g_.label(g_.rank) + " passed a recv buffer of " + std::to_string(recv.size()) +
              " elements, recv_counts sum to " + std::to_string(recv_total);
      else if (runtime::detail::overlaps(send.data(), send.size() * sizeof(T), recv.data(), recv.size() * sizeof(T)))
        err = g_.label(g_.rank) + "'s send and recv buffers overlap (all_to_all cannot work in place)";
    }
    settle(op, detail::elem_of<T>, 0, 0, err, {}, {}, shape);
    if (checking()) detail::agree_all_to_all(g_, send_counts, recv_counts, send_note, recv_note);
    int const c = counts_[0];
    if (all_equal(counts_, c) && all_equal(recv_counts_, c))
      detail::check(MPI_Alltoall(send.data(), c, detail::datatype<T>(), recv.data(), c, detail::datatype<T>(), g_.comm),
                    "MPI_Alltoall", g_.where(op));
    else
      detail::check(MPI_Alltoallv(send.data(), counts_.data(), displs_.data(), detail::datatype<T>(), recv.data(),
                                  recv_counts_.data(), recv_displs_.data(), detail::datatype<T>(), g_.comm),
                    "MPI_Alltoallv", g_.where(op));
  }

  template <class T>
  void broadcast_impl(std::span<T> data, std::size_t root) {
    auto const op = detail::op_kind::broadcast;
    scope const s(*this, op);
    std::optional<std::string> err;
    if (root >= g_.size)
      err = "root " + std::to_string(root) + " is not a rank of the group (size " + std::to_string(g_.size) + ")";
    else if (data.size() > detail::int_max)
      err = g_.label(g_.rank) + " passed " + std::to_string(data.size()) + " elements, more than INT_MAX (" +
            std::to_string(detail::int_max) + "), the largest count one MPI call takes; split the buffer";
    settle(op, detail::elem_of<T>, root, data.size(), err, {});
    detail::check(MPI_Bcast(data.data(), static_cast<int>(data.size()), detail::datatype<T>(), static_cast<int>(root),
                            g_.comm),
                  "MPI_Bcast", g_.where(op));
  }

  detail::group g_;
  // Per-call int counts and displacements for MPI's v-collectives, allocated once.
  std::vector<int> counts_, displs_, recv_counts_, recv_displs_;
  std::vector<std::byte> scratch_;  // reduce_scatter_sum in place
};

/// One rank of a running mesh (this process); run() passes it to the user function by reference.
/// Same members as spmd::threads::rank. Use it from the thread that called run().
class rank {
 public:
  rank(rank const&) = delete;
  rank& operator=(rank const&) = delete;
  ~rank() {
    flat_comms_.clear();
    axis_comms_.clear();
    m_.dog.reset();
    if (m_.comm != MPI_COMM_NULL) MPI_Comm_free(&m_.comm);
  }

  /// This rank's index in the mesh: row-major over the axes in mesh order; equal to its rank in
  /// MPI_COMM_WORLD.
  [[nodiscard]] std::size_t index() const noexcept { return m_.index; }
  /// Number of ranks in the mesh (== the size of MPI_COMM_WORLD).
  [[nodiscard]] std::size_t world_size() const noexcept { return m_.world_size; }
  /// This rank's coordinate on `axis` (std::invalid_argument if there is no such axis).
  [[nodiscard]] std::size_t coord(std::string_view axis) const { return m_.coords[axis_of(axis, "coord")]; }
  /// The size of `axis` (std::invalid_argument if there is no such axis).
  [[nodiscard]] std::size_t axis_size(std::string_view axis) const { return m_.sizes[axis_of(axis, "axis_size")]; }
  /// The mesh's axis names, in mesh order.
  [[nodiscard]] std::span<std::string const> axis_names() const noexcept { return m_.names; }

  /// The communicator of the ranks that differ from this one only on `axis`; group rank = the
  /// coordinate on `axis`. Created by run() (MPI_Comm_split).
  [[nodiscard]] communicator& comm(std::string_view axis) { return *axis_comms_[axis_of(axis, "comm")]; }

  /// The communicator of the ranks that differ from this one only on `axes` (flattened): group
  /// rank = row-major over those axes in MESH order, whatever order they are listed in. Created on
  /// first use (MPI_Comm_create_group, collective over that group only) and cached.
  [[nodiscard]] communicator& comm(std::initializer_list<std::string_view> axes) {
    return comm(std::span<std::string_view const>(axes.begin(), axes.size()));
  }
  [[nodiscard]] communicator& comm(std::span<std::string_view const> axes) {
    auto const [mask, first] = runtime::detail::axis_set_of(m_.names, axes);
    if (axes.size() == 1) return *axis_comms_[first];
    for (auto& [m, c] : flat_comms_)
      if (m == mask) return *c;
    flat_comms_.emplace_back(mask, make_group(mask, false));
    return *flat_comms_.back().second;
  }

 private:
  friend void detail::run_mesh(std::vector<std::pair<std::string, std::size_t>> const&, void (*)(void*, rank&),
                               void*, options const&);

  /// Creates the mesh's communicators: collective over every rank, under the watchdog if any.
  explicit rank(detail::mesh_state&& m) : m_(std::move(m)) {
    {
      std::string const world = "the whole mesh";
      detail::armed const watch(m_.dog.get(), detail::op_kind::group_creation, &world);
      detail::check(MPI_Comm_dup(MPI_COMM_WORLD, &m_.comm), "MPI_Comm_dup", [] { return std::string("mpi::run"); });
    }
    detail::check(MPI_Comm_set_errhandler(m_.comm, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler",
                  [] { return std::string("mpi::run"); });
    axis_comms_.reserve(m_.names.size());
    for (std::size_t a = 0; a < m_.names.size(); ++a) axis_comms_.push_back(make_group(std::uint64_t{1} << a, true));
  }

  /// The group of the ranks that differ from this one only on the axes in `mask`. `split`: by
  /// MPI_Comm_split over the whole mesh (every rank calls it, at the same time); otherwise by
  /// MPI_Comm_create_group (only the group's ranks call it).
  std::unique_ptr<communicator> make_group(std::uint64_t mask, bool split) {
    std::size_t base = m_.index;
    std::string name;
    for (std::size_t a = 0; a < m_.names.size(); ++a)
      if (mask >> a & 1u) {
        base -= m_.coords[a] * m_.strides[a];
        name += (name.empty() ? "" : ",") + m_.names[a];
      }
    // Members in group rank order: row-major over the masked axes, in mesh order.
    std::vector<std::size_t> members{base};
    std::size_t group_rank = 0;
    for (std::size_t a = 0; a < m_.names.size(); ++a)
      if (mask >> a & 1u) {
        std::vector<std::size_t> next;
        next.reserve(members.size() * m_.sizes[a]);
        for (std::size_t mbr : members)
          for (std::size_t c = 0; c < m_.sizes[a]; ++c) next.push_back(mbr + c * m_.strides[a]);
        members = std::move(next);
        group_rank = group_rank * m_.sizes[a] + m_.coords[a];
      }
    auto const where = [&name] { return "rank::comm(\"" + name + "\")"; };
    MPI_Comm c = MPI_COMM_NULL;
    // A rank whose peers never come (they create other groups first, or failed) ends the job
    // here too, under the timeout.
    detail::armed const watch(m_.dog.get(), detail::op_kind::group_creation, &name);
    if (split) {
      detail::check(
          MPI_Comm_split(m_.comm, static_cast<int>(base), static_cast<int>(group_rank), &c), "MPI_Comm_split", where);
    } else {
      std::vector<int> ranks(members.begin(), members.end());
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
    return std::unique_ptr<communicator>(new communicator(c, name, std::move(members), group_rank, m_));
  }

  [[nodiscard]] std::size_t axis_of(std::string_view axis, char const* fn) const {
    return runtime::detail::axis_index(m_.names, axis, fn);
  }

  detail::mesh_state m_;
  std::vector<std::unique_ptr<communicator>> axis_comms_;
  std::vector<std::pair<std::uint64_t, std::unique_ptr<communicator>>> flat_comms_;
};

static_assert(spmd::communicator<communicator>);
static_assert(spmd::rank_context<rank>);

/// Initialises MPI (MPI_Init_thread, MPI_THREAD_FUNNELED) unless it already is, and finalizes it
/// on destruction if it initialised it. Create one at the top of main() to call run() several
/// times in one program (run() alone finalizes MPI when it initialised it, and MPI cannot be
/// initialised twice), or to know the world size before choosing a mesh.
class environment {
 public:
  environment() { init(nullptr, nullptr); }
  environment(int& argc, char**& argv) { init(&argc, &argv); }
  environment(environment const&) = delete;
  environment& operator=(environment const&) = delete;
  ~environment() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (owns_ && !finalized) MPI_Finalize();
  }

  /// Number of processes in MPI_COMM_WORLD.
  [[nodiscard]] std::size_t world_size() const {
    int n = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    return static_cast<std::size_t>(n);
  }
  /// This process's rank in MPI_COMM_WORLD.
  [[nodiscard]] std::size_t world_rank() const {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return static_cast<std::size_t>(r);
  }
  /// The thread support MPI provides (MPI_THREAD_SINGLE ... MPI_THREAD_MULTIPLE).
  [[nodiscard]] int thread_level() const noexcept { return provided_; }

 private:
  void init(int* argc, char*** argv) {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (finalized) throw std::logic_error("spmd: mpi::environment: MPI has already been finalized");
    if (initialized) {
      MPI_Query_thread(&provided_);
      return;
    }
    detail::check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided_), "MPI_Init_thread",
                  [] { return std::string("mpi::environment"); });
    owns_ = true;
  }

  bool owns_ = false;
  int provided_ = MPI_THREAD_SINGLE;
};

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
  m.world_size = spec.world_size;
  m.names = std::move(spec.names);
  m.sizes = std::move(spec.sizes);
  m.index = index;
  m.strides.assign(m.sizes.size(), 1);
  for (std::size_t a = m.sizes.size(); a-- > 1;) m.strides[a - 1] = m.strides[a] * m.sizes[a];
  for (std::size_t a = 0; a < m.sizes.size(); ++a) m.coords.push_back(m.index / m.strides[a] % m.sizes[a]);
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
  using fn_type = std::remove_reference_t<F>;
  detail::run_mesh(
      mesh_sizes, [](void* f, rank& r) { std::invoke(*static_cast<fn_type*>(f), r); },
      const_cast<void*>(static_cast<void const*>(std::addressof(fn))), opts);
}

}  // namespace spmd::mpi
