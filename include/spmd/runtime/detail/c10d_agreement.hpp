// spmd/runtime/detail/c10d_agreement.hpp - the c10d runtime's groups and the transport of its
// agreement protocol: which group a communicator is (its Gloo process group, size, rank, name,
// members), and the small integer Gloo collectives with which runtime::detail::agree
// (detail/agreement.hpp, shared with the MPI runtime) checks that every rank of a group called the
// same collective with arguments that fit together (options::check_agreement). Private to
// <spmd/runtime/c10d.hpp>.
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
#include <spmd/runtime/detail/c10d_support.hpp>
#include <spmd/runtime/detail/process_rank.hpp>
#include <spmd/runtime/detail/split_messages.hpp>

namespace spmd::dist::detail {

/// The mesh as one process sees it (its place in runtime::detail::mesh_place: index == RANK).
struct mesh_state : runtime::detail::mesh_place {
  std::size_t run = 0;           // which dist::run of this process: the prefix of its keys
  bool check_agreement = false;  // options::check_agreement
  std::chrono::milliseconds gloo_timeout{0};
  job* j = nullptr;
  std::unique_ptr<watchdog> dog;
};

/// One group of ranks as this rank sees it: what a communicator is, and how messages name its
/// ranks (runtime::detail::group_labels).
struct group : runtime::detail::group_labels<group> {
  ::c10::intrusive_ptr<::c10d::ProcessGroupGloo> pg;
  std::size_t size = 0;
  std::size_t rank = 0;              // this rank's index in the group
  std::string name;                  // the group's axes, comma-separated in mesh order
  std::string id;                    // its key prefix in the store: "spmd/<run>/<name>@<base>/"
  std::vector<std::size_t> members;  // the mesh index of each group rank
  mesh_state const* m = nullptr;
  std::uint64_t seq = 0;  // collectives this rank has entered on the group

  /// "all_gather on group 'tp'".
  [[nodiscard]] std::string where(op_kind op) const { return std::string(op_name(op)) + " on group '" + name + "'"; }

  /// Runs a Gloo collective (`start` returns its Work) and waits for it; a Gloo error (a peer
  /// closed its connection, Gloo's timeout) becomes comm_error naming the call.
  template <class Start>
  void run(op_kind op, char const* call, Start const& start) const {
    try {
      start()->wait();
    } catch (comm_error const&) {
      throw;
    } catch (std::exception const& e) {
      throw comm_error("spmd: " + where(op) + ": Gloo's " + call + " failed: " + short_what(e),
                       comm_error::reason::rank_failed);
    }
  }
};

/// A 1-d CPU tensor over `data` (no copy): the form in which Gloo takes a buffer.
template <class T>
[[nodiscard]] ::at::Tensor wrap(T const* data, std::size_t n) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::int64_t> ||
                std::is_same_v<T, std::uint8_t>);
  constexpr auto type = std::is_same_v<T, float>          ? ::at::kFloat
                        : std::is_same_v<T, double>       ? ::at::kDouble
                        : std::is_same_v<T, std::int64_t> ? ::at::kLong
                                                          : ::at::kByte;
  // Gloo reads and writes through the pointer; a zero-size buffer may have none.
  static T empty{};
  return ::at::from_blob(const_cast<T*>(n == 0 ? &empty : data), {static_cast<std::int64_t>(n)},
                         ::at::TensorOptions().dtype(type));
}

/// The agreement protocol's transport (runtime::detail::agree): Gloo's collectives on the group's
/// process group, over the values as int64 (a signed max: the protocol allows either order).
struct transport {
  group const& g;
  op_kind op;

  // An int64 may alias a uint64: Gloo reads and writes the caller's values in place.
  static std::int64_t* as_i64(std::uint64_t* p) noexcept { return reinterpret_cast<std::int64_t*>(p); }
  static std::int64_t const* as_i64(std::uint64_t const* p) noexcept {
    return reinterpret_cast<std::int64_t const*>(p);
  }

  void max(std::span<std::uint64_t> v) const {
    std::vector<::at::Tensor> t{wrap<std::int64_t>(as_i64(v.data()), v.size())};
    ::c10d::AllreduceOptions o;
    o.reduceOp = ::c10d::ReduceOp::MAX;
    g.run(op, "allreduce", [&] { return g.pg->allreduce(t, o); });
  }
  [[nodiscard]] std::vector<std::uint64_t> gather(std::span<std::uint64_t const> mine) const {
    std::vector<std::uint64_t> all(mine.size() * g.size);
    std::vector<std::vector<::at::Tensor>> out(1);
    for (std::size_t s = 0; s < g.size; ++s)
      out[0].push_back(wrap<std::int64_t>(as_i64(all.data() + s * mine.size()), mine.size()));
    std::vector<::at::Tensor> in{wrap<std::int64_t>(as_i64(mine.data()), mine.size())};
    g.run(op, "allgather", [&] { return g.pg->allgather(out, in); });
    return all;
  }
  [[nodiscard]] std::string broadcast_text(std::string const& text, std::size_t root) const {
    std::int64_t len = g.rank == root ? static_cast<std::int64_t>(text.size()) : 0;
    std::vector<::at::Tensor> t{wrap<std::int64_t>(&len, 1)};
    ::c10d::BroadcastOptions o;
    o.rootRank = static_cast<std::int64_t>(root);
    g.run(op, "broadcast", [&] { return g.pg->broadcast(t, o); });
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(len));
    if (g.rank == root) std::copy(text.begin(), text.end(), bytes.begin());
    std::vector<::at::Tensor> b{wrap<std::uint8_t>(bytes.data(), bytes.size())};
    g.run(op, "broadcast", [&] { return g.pg->broadcast(b, o); });
    return std::string(bytes.begin(), bytes.end());
  }
  void all_to_all(std::span<std::uint64_t const> sent, std::span<std::uint64_t> got) const {
    std::vector<std::int64_t> splits;  // empty: one element each way
    auto out = wrap<std::int64_t>(as_i64(got.data()), got.size()),
         in = wrap<std::int64_t>(as_i64(sent.data()), sent.size());
    g.run(op, "alltoall_base", [&] { return g.pg->alltoall_base(out, in, splits, splits); });
  }
};

/// The agreement protocol's transport on group `g` for collective `op` (found by
/// runtime::detail::process_communicator next to the group type).
[[nodiscard]] inline transport agreement_transport(group const& g, op_kind op) noexcept {
  return {g, op};
}

}  // namespace spmd::dist::detail
