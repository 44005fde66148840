// spmd/runtime/detail/c10d_agreement.hpp - the c10d runtime's groups and agreement protocol: which
// group a communicator is (its Gloo process group, size, rank, name, members, and how messages
// name its ranks), the small integer collectives the checks need, and the check that every rank
// of a group called the same collective with arguments that fit together
// (options::check_agreement), after which every rank throws the same comm_error naming the rank at
// fault. The protocol is the MPI runtime's (detail/mpi_agreement.hpp) on Gloo. Private to
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
/// ranks.
struct group {
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

  /// "rank 1", or "rank 1 (world rank 3)" when the group rank differs from the mesh index.
  [[nodiscard]] std::string label(std::size_t s) const {
    std::string out = "rank " + std::to_string(s);
    if (members[s] != s) out += " (world rank " + std::to_string(members[s]) + ")";
    return out;
  }

  /// "rank 1 (tp=1)", or "rank 1 (tp=1, world rank 3)": with the mesh coordinates on the group's
  /// axes (for messages about split sizes, which are per axis).
  [[nodiscard]] std::string coord_label(std::size_t s) const {
    auto const size_of = [mm = m](std::string_view axis) {
      for (std::size_t a = 0; a < mm->names.size(); ++a)
        if (mm->names[a] == axis) return mm->sizes[a];
      return std::size_t{0};
    };
    std::string out = "rank " + std::to_string(s) + " (" + runtime::detail::coords_text(name, s, size_of);
    if (members[s] != s) out += ", world rank " + std::to_string(members[s]);
    return out + ")";
  }

  [[nodiscard]] comm_error error(op_kind op, std::string const& what, std::size_t at) const {
    return comm_error("spmd: " + where(op) + ": " + what, comm_error::reason::mismatch, members[at]);
  }

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

/// Element-wise max over the group, in place.
inline void max_i64(group const& g, std::span<std::int64_t> v, op_kind op) {
  std::vector<::at::Tensor> t{wrap<std::int64_t>(v.data(), v.size())};
  ::c10d::AllreduceOptions o;
  o.reduceOp = ::c10d::ReduceOp::MAX;
  g.run(op, "allreduce", [&] { return g.pg->allreduce(t, o); });
}

/// Every rank's `mine` (the same length on every rank), concatenated in group rank order.
[[nodiscard]] inline std::vector<std::int64_t> gather_i64(group const& g, std::span<std::int64_t const> mine,
                                                          op_kind op) {
  std::vector<std::int64_t> all(mine.size() * g.size);
  std::vector<std::vector<::at::Tensor>> out(1);
  for (std::size_t s = 0; s < g.size; ++s)
    out[0].push_back(wrap<std::int64_t>(all.data() + s * mine.size(), mine.size()));
  std::vector<::at::Tensor> in{wrap<std::int64_t>(mine.data(), mine.size())};
  g.run(op, "allgather", [&] { return g.pg->allgather(out, in); });
  return all;
}

/// Rank `root`'s text on every rank of the group.
[[nodiscard]] inline std::string broadcast_text(group const& g, std::string const& text, std::size_t root, op_kind op) {
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

inline std::vector<std::int64_t> to_i64(std::span<std::size_t const> c, std::size_t n) {
  std::vector<std::int64_t> v(n, 0);
  for (std::size_t i = 0; i < std::min(n, c.size()); ++i) v[i] = static_cast<std::int64_t>(c[i]);
  return v;
}

/// Every rank's counts (n each) and note, gathered on every rank: the error path only.
struct all_noted {
  std::vector<std::size_t> counts;  // n * n
  std::vector<std::int64_t> notes;  // 3 per rank: dim, per_index, given
  std::size_t n = 0;
  [[nodiscard]] runtime::detail::noted_counts at(std::size_t s) const {
    return {std::span<std::size_t const>(counts).subspan(s * n, n),
            split_note{static_cast<std::size_t>(notes[3 * s]), static_cast<std::size_t>(notes[3 * s + 1]),
                       notes[3 * s + 2] != 0}};
  }
};
[[nodiscard]] inline all_noted gather_noted(group const& g, std::span<std::size_t const> counts, split_note const& note,
                                            op_kind op) {
  all_noted a;
  a.n = g.size;
  auto const every = gather_i64(g, to_i64(counts, g.size), op);
  a.counts.assign(every.begin(), every.end());
  std::int64_t const n3[3] = {static_cast<std::int64_t>(note.dim), static_cast<std::int64_t>(note.per_index),
                              note.given ? 1 : 0};
  a.notes = gather_i64(g, n3, op);
  return a;
}

/// Every rank's shape note, gathered on every rank (padded to the longest): the error path only.
struct all_shapes {
  std::vector<std::int64_t> heads;  // 3 per rank: known, free dim, number of dims
  std::vector<std::size_t> dims;    // rank s's extents at s * width
  std::size_t width = 0;
  [[nodiscard]] shape_note at(std::size_t s) const {
    return {std::span<std::size_t const>(dims).subspan(s * width, static_cast<std::size_t>(heads[3 * s + 2])),
            static_cast<std::size_t>(heads[3 * s + 1]), heads[3 * s] != 0};
  }
};
[[nodiscard]] inline all_shapes gather_shapes(group const& g, shape_note const& shape, op_kind op) {
  all_shapes a;
  std::int64_t const head[3] = {shape.known ? 1 : 0, static_cast<std::int64_t>(shape.free_dim),
                                static_cast<std::int64_t>(shape.shape.size())};
  a.heads = gather_i64(g, head, op);
  for (std::size_t s = 0; s < g.size; ++s) a.width = std::max(a.width, static_cast<std::size_t>(a.heads[3 * s + 2]));
  auto const every = gather_i64(g, to_i64(shape.shape, a.width), op);
  a.dims.assign(every.begin(), every.end());
  return a;
}

/// The agreement check: one allreduce (max of each field and of its complement, i.e. max and min)
/// of this rank's call signature {collective, element type, a, b, shape, has an error}. On a
/// disagreement every rank gathers all signatures (and, where needed, the counts or the faulty
/// rank's message), so that every rank throws the same comm_error naming the rank at fault.
inline void agree(group const& g, op_kind op, elem_kind elem, std::uint64_t a, std::uint64_t b,
                  std::optional<std::string> const& local, std::span<std::size_t const> counts, split_note const& note,
                  shape_note const& shape) {
  using i64 = std::int64_t;
  constexpr std::size_t fields = 6;
  i64 const mine[fields] = {static_cast<i64>(op),
                            static_cast<i64>(elem),
                            static_cast<i64>(a),
                            static_cast<i64>(b),
                            static_cast<i64>(runtime::detail::shape_hash(shape)),
                            local ? 1 : 0};
  i64 red[2 * fields];
  for (std::size_t i = 0; i < fields; ++i) {
    red[i] = mine[i];
    red[fields + i] = ~mine[i];  // order-reversing: the max of the complements is the min
  }
  max_i64(g, red, op);
  bool same = true;
  for (std::size_t i = 0; i < 5; ++i) same = same && red[i] == ~red[fields + i];
  if (same && red[5] == 0) [[likely]]
    return;

  // Error path: every rank below runs the same calls on the same data.
  std::size_t const n = g.size;
  auto const all = gather_i64(g, mine, op);
  auto const at = [&](std::size_t s, std::size_t f) { return static_cast<std::uint64_t>(all[s * fields + f]); };
  auto const call = [&](std::size_t s) {
    std::string c = op_name(static_cast<op_kind>(at(s, 0)));
    auto const e = static_cast<elem_kind>(at(s, 1));
    if (e != elem_kind::none) c += std::string("(") + elem_name(e) + ")";
    return c;
  };
  for (std::size_t s = 1; s < n; ++s)
    if (at(s, 0) != at(0, 0) || at(s, 1) != at(0, 1))
      throw comm_error("spmd: collective mismatch on group '" + g.name + "': " + g.label(0) + " called " + call(0) +
                           " but " + g.label(s) + " called " + call(s) +
                           "; all ranks of a group must call the same collectives in the same order",
                       comm_error::reason::mismatch, g.members[s]);
  for (std::size_t s = 0; s < n; ++s)
    if (at(s, 5) != 0)  // rank s's own arguments are wrong: it tells everyone what
      throw g.error(op, broadcast_text(g, s == g.rank ? *local : std::string(), s, op), s);
  for (std::size_t s = 1; s < n; ++s)
    if (at(s, 4) != at(0, 4)) {
      auto const shapes = gather_shapes(g, shape, op);
      for (std::size_t t = 1; t < n; ++t)
        if (auto text =
                runtime::detail::shape_disagreement(shapes.at(t), g.coord_label(t), shapes.at(0), g.coord_label(0)))
          throw g.error(op, *text, t);
      break;
    }
  switch (op) {
    case op_kind::all_reduce_sum:
      for (std::size_t s = 1; s < n; ++s)
        if (at(s, 2) != at(0, 2))
          throw g.error(op,
                        g.label(s) + " passed " + std::to_string(at(s, 2)) + " elements, " + g.label(0) + " passed " +
                            std::to_string(at(0, 2)),
                        s);
      break;
    case op_kind::broadcast: {
      for (std::size_t s = 1; s < n; ++s)
        if (at(s, 2) != at(0, 2))
          throw g.error(op,
                        g.label(s) + " passed root " + std::to_string(at(s, 2)) + ", " + g.label(0) + " passed root " +
                            std::to_string(at(0, 2)),
                        s);
      std::size_t const root = at(0, 2);
      for (std::size_t s = 0; s < n; ++s)
        if (at(s, 3) != at(root, 3))
          throw g.error(op,
                        g.label(s) + " passed " + std::to_string(at(s, 3)) + " elements, the root (" + g.label(root) +
                            ") passed " + std::to_string(at(root, 3)),
                        s);
      break;
    }
    case op_kind::agree_split:
    case op_kind::reduce_scatter_sum:
    case op_kind::all_gather: {
      auto const every = gather_noted(g, counts, note, op);
      for (std::size_t s = 1; s < n; ++s) {
        auto const ns = every.at(s), n0 = every.at(0);
        auto const cs = ns.counts, c0 = n0.counts;
        if (std::equal(cs.begin(), cs.end(), c0.begin())) continue;
        // From a typed collective: in its split sizes; otherwise in the caller's counts.
        if (auto text = runtime::detail::split_disagreement(ns, g.coord_label(s), n0, g.coord_label(0), "", true))
          throw g.error(op, *text, s);
        throw g.error(op,
                      g.label(s) + " passed counts " + runtime::detail::format_list(cs) + ", " + g.label(0) +
                          " passed " + runtime::detail::format_list(c0),
                      s);
      }
      break;
    }
    default:
      break;
  }
  throw g.error(op, "the ranks disagree about the call's arguments", 0);
}

/// all_to_all's part of the agreement check: rank j must expect from rank s what s sends to j.
inline void agree_all_to_all(group const& g, std::span<std::size_t const> send_counts,
                             std::span<std::size_t const> recv_counts, split_note const& send_note,
                             split_note const& recv_note) {
  using i64 = std::int64_t;
  auto const op = op_kind::all_to_all;
  std::size_t const n = g.size;
  auto sent = to_i64(send_counts, n);
  std::vector<i64> got(n);
  {
    std::vector<i64> splits;  // empty: one element each way
    auto out = wrap<i64>(got.data(), n), in = wrap<i64>(sent.data(), n);
    g.run(op, "alltoall_base", [&] { return g.pg->alltoall_base(out, in, splits, splits); });
  }
  // The first (sender, receiver) pair that disagrees, as sender * n + receiver; n * n for none.
  i64 key = static_cast<i64>(n * n);
  for (std::size_t s = 0; s < n && key == static_cast<i64>(n * n); ++s)
    if (static_cast<std::size_t>(got[s]) != recv_counts[s]) key = static_cast<i64>(s * n + g.rank);
  i64 red = -key;  // the min key, as a max
  max_i64(g, std::span<i64>(&red, 1), op);
  key = -red;
  if (key == static_cast<i64>(n * n)) [[likely]]
    return;
  // From a typed collective: the first rank whose split sizes differ from rank 0's.
  auto const sends = gather_noted(g, send_counts, send_note, op), recvs = gather_noted(g, recv_counts, recv_note, op);
  if (auto d = runtime::detail::all_to_all_split_disagreement(
          n, [&](std::size_t k) { return sends.at(k); }, [&](std::size_t k) { return recvs.at(k); },
          [&](std::size_t k) { return g.coord_label(k); }))
    throw g.error(op, d->second, d->first);
  std::size_t const s = static_cast<std::size_t>(key) / n, j = static_cast<std::size_t>(key) % n;
  // Every rank has every rank's counts now: rank s sends sends.at(s)[j], rank j expects recvs.at(j)[s].
  throw g.error(op,
                g.label(s) + " sends " + std::to_string(sends.at(s).counts[j]) + " elements to " + g.label(j) +
                    ", which expects " + std::to_string(recvs.at(j).counts[s]) +
                    (send_note.present() ? " (the split sizes agree: the tensors differ in a dim other than the "
                                           "split dims)"
                                         : ""),
                s);
}

}  // namespace spmd::dist::detail
