// spmd/runtime/detail/mpi_communicator.hpp - mpi::communicator: one group of ranks as one rank
// sees it, each collective a single call of MPI's own. Private to <spmd/runtime/mpi.hpp>.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spmd/runtime/comm_error.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/runtime/detail/buffer_checks.hpp>
#include <spmd/runtime/detail/buffer_collectives.hpp>
#include <spmd/runtime/detail/mpi_agreement.hpp>
#include <spmd/runtime/detail/mpi_options.hpp>
#include <spmd/runtime/detail/mpi_support.hpp>
#include <spmd/runtime/detail/process_communicator.hpp>
#include <spmd/runtime/detail/split_messages.hpp>

namespace spmd::mpi {

class rank;

namespace detail {

/// mpi::run's body (detail/mpi_run.hpp), a friend of rank.
inline void run_mesh(std::vector<std::pair<std::string, std::size_t>> const& mesh_sizes, void (*call)(void*, rank&),
                     void* fn, options const& opts);

}  // namespace detail

/// The communicator of one group of ranks (one mesh axis, or several flattened) as seen by one
/// rank; wraps an MPI communicator. Obtained from rank::comm(); models spmd::communicator. Every
/// collective is a single call of MPI's own collective on the caller's buffers (no staging copy,
/// no allocation), after checks of this rank's arguments; with options::check_agreement, after a
/// check that all ranks agree. An MPI error becomes a comm_error carrying MPI's error string.
/// The collectives (runtime::detail::buffer_collectives) are: all_reduce_sum, MPI_Allreduce with
/// MPI_IN_PLACE (whether every rank gets bit-identical results depends on the MPI library's
/// algorithm; OpenMPI's are deterministic for a given group size and message size);
/// reduce_scatter_sum, MPI_Reduce_scatter_block when all counts are equal, else
/// MPI_Reduce_scatter; all_gather, MPI_Allgather (MPI_IN_PLACE when `in` is this rank's block of
/// `out`) when all counts are equal, else MPI_Allgatherv; all_to_all, MPI_Alltoall when every
/// count is the same, else MPI_Alltoallv; broadcast, MPI_Bcast.
class communicator : public runtime::detail::process_communicator<communicator>,
                     public runtime::detail::buffer_collectives<communicator> {
 public:
  communicator(communicator const&) = delete;
  communicator& operator=(communicator const&) = delete;
  ~communicator() {
    if (g_.comm != MPI_COMM_NULL) MPI_Comm_free(&g_.comm);
  }

  /// The MPI communicator (group rank == MPI rank), for calls of your own. Owned by this object.
  [[nodiscard]] MPI_Comm native() const noexcept { return g_.comm; }

  /// Returns once every rank of the group has called it (MPI_Barrier).
  void barrier() {
    scope const s(*this, detail::op_kind::barrier);
    settle(detail::op_kind::barrier, detail::elem_kind::none, 0, 0, std::nullopt, {});
    detail::check(MPI_Barrier(g_.comm), "MPI_Barrier", g_.where(detail::op_kind::barrier));
  }

 private:
  friend class mpi::rank;
  friend class runtime::detail::process_communicator<communicator>;
  friend class runtime::detail::buffer_collectives<communicator>;

  communicator(MPI_Comm c, std::string name, std::vector<std::size_t> members, std::size_t group_rank,
               detail::mesh_state const& m)
      : g_{{}, c, members.size(), group_rank, std::move(name), std::move(members), &m},
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

  /// This rank's checks of reduce_scatter_sum (`gather` false: `whole` is the input, `part` the
  /// output) and all_gather (true: the other way round): the counts, as ints into counts_ and
  /// displs_, against the buffers. `whole_is_all`: `part` is exactly this rank's block of `whole`,
  /// which holds every block.
  template <class T>
  [[nodiscard]] std::optional<std::string> block_checks(bool gather, T const* whole, std::size_t whole_size,
                                                        T const* part, std::size_t part_size,
                                                        std::span<std::size_t const> counts, bool& whole_is_all) {
    whole_is_all = false;
    if (auto err = counts_error(counts, "counts")) return err;
    if (auto err = to_ints(counts, counts_, displs_, "counts")) return err;
    std::size_t const total = static_cast<std::size_t>(displs_[g_.size - 1]) + counts[g_.size - 1];
    bool const own = part == whole + displs_[g_.rank];
    whole_is_all = whole_size == total && own;
    return runtime::detail::block_buffers_error([this] { return g_.label(g_.rank); }, gather, whole, whole_size, part,
                                                part_size, counts[g_.rank], total, own, sizeof(T));
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
    bool in_place = false;
    std::optional<std::string> const err =
        block_checks(false, in.data(), in.size(), out.data(), out.size(), counts, in_place);
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
    bool in_place = false;
    std::optional<std::string> const err =
        block_checks(true, out.data(), out.size(), in.data(), in.size(), counts, in_place);
    in_place = in_place && counts[g_.rank] != 0;
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
    std::optional<std::string> err = counts_error(send_counts, "send_counts");
    if (err || (err = counts_error(recv_counts, "recv_counts"))) {
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
    if (checking()) agree_all_to_all(send_counts, recv_counts, send_note, recv_note);
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

static_assert(spmd::communicator<communicator>);

}  // namespace spmd::mpi
