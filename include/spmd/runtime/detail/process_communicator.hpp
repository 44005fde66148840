// spmd/runtime/detail/process_communicator.hpp - what the communicators of the runtimes with one
// rank per process (MPI, c10d) share: the group's description and the agreement check wrapped
// around every collective (options::check_agreement). Private to the runtimes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <spmd/runtime/communicator.hpp>
#include <spmd/runtime/detail/agreement.hpp>
#include <spmd/runtime/detail/collective_kind.hpp>
#include <spmd/runtime/detail/fingerprint.hpp>

namespace spmd::runtime::detail {

/// `Derived` holds its group as `g_` (size, rank, name, members, the mesh state `m` with its
/// check_agreement flag, label(i) and error(op, what, i)), marks a collective for its watchdog
/// with a `scope(derived, op)` object, and has an `agreement_transport(g_, op)` found next to its
/// group type (the transport of the agreement protocol, detail/agreement.hpp); it befriends this
/// class.
template <class Derived>
class process_communicator {
 public:
  /// Number of ranks in the group.
  [[nodiscard]] std::size_t size() const noexcept { return group().size; }
  /// This rank's index in the group.
  [[nodiscard]] std::size_t rank() const noexcept { return group().rank; }
  /// The group's axes, comma-separated in mesh order: "tp", "dp,tp".
  [[nodiscard]] std::string_view name() const noexcept { return group().name; }
  /// The mesh index (== the rank in the job) of each rank of the group, in group rank order.
  [[nodiscard]] std::span<std::size_t const> world_ranks() const noexcept { return group().members; }

  /// With the agreement check: checks that every rank of the group passed the same split
  /// (`counts`, with `note` saying what they count), or throws the same comm_error on every rank
  /// (one small collective). Without it: returns at once. Moves no data. The typed convert to an
  /// uneven shard calls it.
  void agree_split(std::span<std::size_t const> counts, split_note const& note = {}) {
    if (!checking()) return;
    auto const op = op_kind::agree_split;
    typename Derived::scope const s(self(), op);
    agree(agreement_transport(group(), op), elem_kind::none, hash_counts(counts), 0, counts_error(counts, "counts"),
          counts, note, {});
  }

 protected:
  process_communicator() = default;
  ~process_communicator() = default;

  [[nodiscard]] bool checking() const noexcept { return group().m->check_agreement && group().size > 1; }

  /// After this rank's own checks (`local`: what is wrong, if anything): with the agreement check,
  /// makes every rank of the group agree or throw the same comm_error; otherwise throws `local`.
  void settle(op_kind op, elem_kind elem, std::uint64_t a, std::uint64_t b, std::optional<std::string> const& local,
              std::span<std::size_t const> counts, split_note const& note = {}, shape_note const& shape = {}) {
    if (checking())
      agree(agreement_transport(group(), op), elem, a, b, local, counts, note, shape);
    else if (local)
      throw group().error(op, *local, group().rank);
  }

  /// all_to_all's part of the agreement check: rank j must expect from rank s what s sends to j.
  void agree_all_to_all(std::span<std::size_t const> send_counts, std::span<std::size_t const> recv_counts,
                        split_note const& send_note, split_note const& recv_note) const {
    runtime::detail::agree_all_to_all(agreement_transport(group(), op_kind::all_to_all), send_counts, recv_counts,
                                      send_note, recv_note);
  }

  /// What is wrong with `counts` (`what` they are) if there is not one per rank of the group.
  [[nodiscard]] std::optional<std::string> counts_error(std::span<std::size_t const> counts, char const* what) const {
    if (counts.size() == group().size) return std::nullopt;
    return group().label(group().rank) + " passed " + std::to_string(counts.size()) + " " + what + " for a group of " +
           std::to_string(group().size) + " ranks";
  }

 private:
  [[nodiscard]] Derived& self() noexcept { return static_cast<Derived&>(*this); }
  [[nodiscard]] auto const& group() const noexcept { return static_cast<Derived const&>(*this).g_; }
};

}  // namespace spmd::runtime::detail
