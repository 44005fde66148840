// spmd/runtime/detail/agreement.hpp - the agreement protocol of the process runtimes (MPI and
// c10d), written once over a transport: how messages name a group's ranks (group_labels), and the
// check that every rank of a group called the same collective with arguments that fit together
// (options::check_agreement), after which every rank throws the same comm_error naming the rank at
// fault. Each runtime supplies a transport, a small class resolved at compile time:
//
//   struct transport {
//     group const& g;  // size, rank, name, members, label(), coord_label(), error()
//     op_kind op;      // the collective being checked (named in transport errors)
//     void max(std::span<std::uint64_t> v) const;  // element-wise max over the group, in place
//     std::vector<std::uint64_t> gather(std::span<std::uint64_t const> mine) const;  // equal lengths
//     std::string broadcast_text(std::string const& text, std::size_t root) const;
//     void all_to_all(std::span<std::uint64_t const> sent, std::span<std::uint64_t> got) const;  // 1 each
//   };
//
// max() may order the values as unsigned or as signed 64-bit integers: the protocol only asks
// whether all ranks agree (max == min, the min being the max of the complements, which reverse
// either order) and for the min of small non-negative keys. Private to the process runtimes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <spmd/runtime/comm_error.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/runtime/detail/collective_kind.hpp>
#include <spmd/runtime/detail/split_messages.hpp>

namespace spmd::runtime::detail {

/// How messages name the ranks of a group: a base of each runtime's group, which has `size`,
/// `name`, `members` (the mesh index of each group rank) and `m` (its mesh_place).
template <class Group>
struct group_labels {
  /// "rank 1", or "rank 1 (world rank 3)" when the group rank differs from the mesh index.
  [[nodiscard]] std::string label(std::size_t s) const {
    auto const& g = static_cast<Group const&>(*this);
    std::string out = "rank " + std::to_string(s);
    if (g.members[s] != s) out += " (world rank " + std::to_string(g.members[s]) + ")";
    return out;
  }

  /// "rank 1 (tp=1)", or "rank 1 (tp=1, world rank 3)": with the mesh coordinates on the group's
  /// axes (for messages about split sizes, which are per axis).
  [[nodiscard]] std::string coord_label(std::size_t s) const {
    auto const& g = static_cast<Group const&>(*this);
    auto const size_of = [mm = g.m](std::string_view axis) {
      for (std::size_t a = 0; a < mm->names.size(); ++a)
        if (mm->names[a] == axis) return mm->sizes[a];
      return std::size_t{0};
    };
    std::string out = "rank " + std::to_string(s) + " (" + coords_text(g.name, s, size_of);
    if (g.members[s] != s) out += ", world rank " + std::to_string(g.members[s]);
    return out + ")";
  }

  /// "spmd: all_gather on group 'tp': <what>", naming the rank at fault.
  [[nodiscard]] comm_error error(op_kind op, std::string const& what, std::size_t at) const {
    auto const& g = static_cast<Group const&>(*this);
    return comm_error("spmd: " + std::string(op_name(op)) + " on group '" + g.name + "': " + what,
                      comm_error::reason::mismatch, g.members[at]);
  }
};

/// `c` as n values (cut or padded with zeros).
[[nodiscard]] inline std::vector<std::uint64_t> padded(std::span<std::size_t const> c, std::size_t n) {
  std::vector<std::uint64_t> v(n, 0);
  std::copy_n(c.begin(), std::min(n, c.size()), v.begin());
  return v;
}

/// Every rank's counts (n each) and note, gathered on every rank: the error path only.
struct all_noted {
  std::vector<std::size_t> counts;   // n * n
  std::vector<std::uint64_t> notes;  // 3 per rank: dim, per_index, given
  std::size_t n = 0;
  [[nodiscard]] noted_counts at(std::size_t s) const {
    return {std::span<std::size_t const>(counts).subspan(s * n, n),
            split_note{static_cast<std::size_t>(notes[3 * s]), static_cast<std::size_t>(notes[3 * s + 1]),
                       notes[3 * s + 2] != 0}};
  }
};
template <class Transport>
[[nodiscard]] all_noted gather_noted(Transport const& t, std::span<std::size_t const> counts, split_note const& note) {
  using u64 = std::uint64_t;
  all_noted a;
  a.n = t.g.size;
  auto const every = t.gather(padded(counts, a.n));
  a.counts.assign(every.begin(), every.end());
  u64 const n3[3] = {note.dim, note.per_index, note.given ? u64{1} : u64{0}};
  a.notes = t.gather(n3);
  return a;
}

/// Every rank's shape note, gathered on every rank (padded to the longest): the error path only.
struct all_shapes {
  std::vector<std::uint64_t> heads;  // 3 per rank: known, free dim, number of dims
  std::vector<std::size_t> dims;     // rank s's extents at s * width
  std::size_t width = 0;
  [[nodiscard]] shape_note at(std::size_t s) const {
    return {std::span<std::size_t const>(dims).subspan(s * width, static_cast<std::size_t>(heads[3 * s + 2])),
            static_cast<std::size_t>(heads[3 * s + 1]), heads[3 * s] != 0};
  }
};
template <class Transport>
[[nodiscard]] all_shapes gather_shapes(Transport const& t, shape_note const& shape) {
  using u64 = std::uint64_t;
  all_shapes a;
  u64 const head[3] = {shape.known ? u64{1} : u64{0}, shape.free_dim, shape.shape.size()};
  a.heads = t.gather(head);
  for (std::size_t s = 0; s < t.g.size; ++s) a.width = std::max(a.width, static_cast<std::size_t>(a.heads[3 * s + 2]));
  auto const every = t.gather(padded(shape.shape, a.width));
  a.dims.assign(every.begin(), every.end());
  return a;
}

/// The agreement check: one max-allreduce of this rank's call signature {collective, element
/// type, a, b, shape, has an error} and of its complement (whose max is the min). On a
/// disagreement every rank gathers all signatures (and, where needed, the counts or the faulty
/// rank's message), so that every rank throws the same comm_error naming the rank at fault.
template <class Transport>
void agree(Transport const& t, elem_kind elem, std::uint64_t a, std::uint64_t b,
           std::optional<std::string> const& local, std::span<std::size_t const> counts, split_note const& note,
           shape_note const& shape) {
  using u64 = std::uint64_t;
  auto const& g = t.g;
  op_kind const op = t.op;
  constexpr std::size_t fields = 6;
  u64 const mine[fields] = {static_cast<u64>(op), static_cast<u64>(elem), a, b,
                            shape_hash(shape),    local ? u64{1} : u64{0}};
  u64 red[2 * fields];
  for (std::size_t i = 0; i < fields; ++i) {
    red[i] = mine[i];
    red[fields + i] = ~mine[i];  // order-reversing: the max of the complements is the min
  }
  t.max(red);
  bool same = true;
  for (std::size_t i = 0; i < 5; ++i) same = same && red[i] == ~red[fields + i];
  if (same && red[5] == 0) [[likely]]
    return;

  // Error path: every rank below runs the same calls on the same data.
  std::size_t const n = g.size;
  auto const all = t.gather(mine);
  auto const at = [&](std::size_t s, std::size_t f) { return all[s * fields + f]; };
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
      throw g.error(op, t.broadcast_text(s == g.rank ? *local : std::string(), s), s);
  for (std::size_t s = 1; s < n; ++s)
    if (at(s, 4) != at(0, 4)) {
      auto const shapes = gather_shapes(t, shape);
      for (std::size_t r = 1; r < n; ++r)
        if (auto text = shape_disagreement(shapes.at(r), g.coord_label(r), shapes.at(0), g.coord_label(0)))
          throw g.error(op, *text, r);
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
      auto const every = gather_noted(t, counts, note);
      for (std::size_t s = 1; s < n; ++s) {
        auto const ns = every.at(s), n0 = every.at(0);
        auto const cs = ns.counts, c0 = n0.counts;
        if (std::equal(cs.begin(), cs.end(), c0.begin())) continue;
        // From a typed collective: in its split sizes; otherwise in the caller's counts.
        if (auto text = split_disagreement(ns, g.coord_label(s), n0, g.coord_label(0), "", true))
          throw g.error(op, *text, s);
        throw g.error(
            op, g.label(s) + " passed counts " + format_list(cs) + ", " + g.label(0) + " passed " + format_list(c0), s);
      }
      break;
    }
    default:
      break;
  }
  throw g.error(op, "the ranks disagree about the call's arguments", 0);
}

/// all_to_all's part of the agreement check (t.op is all_to_all): rank j must expect from rank s
/// what s sends to j.
template <class Transport>
void agree_all_to_all(Transport const& t, std::span<std::size_t const> send_counts,
                      std::span<std::size_t const> recv_counts, split_note const& send_note,
                      split_note const& recv_note) {
  using u64 = std::uint64_t;
  auto const& g = t.g;
  std::size_t const n = g.size;
  auto const sent = padded(send_counts, n);
  std::vector<u64> got(n);
  t.all_to_all(sent, got);
  u64 key = n * n;  // the first (sender, receiver) pair that disagrees, as sender * n + receiver
  for (std::size_t s = 0; s < n && key == n * n; ++s)
    if (got[s] != recv_counts[s]) key = s * n + g.rank;
  u64 red = ~key;  // the min key, as a max
  t.max(std::span<u64>(&red, 1));
  key = ~red;
  if (key == n * n) [[likely]]
    return;
  // From a typed collective: the first rank whose split sizes differ from rank 0's.
  auto const sends = gather_noted(t, send_counts, send_note), recvs = gather_noted(t, recv_counts, recv_note);
  if (auto d = all_to_all_split_disagreement(
          n, [&](std::size_t k) { return sends.at(k); }, [&](std::size_t k) { return recvs.at(k); },
          [&](std::size_t k) { return g.coord_label(k); }))
    throw g.error(t.op, d->second, d->first);
  std::size_t const s = static_cast<std::size_t>(key / n), j = static_cast<std::size_t>(key % n);
  // Every rank has every rank's counts now: rank s sends sends.at(s)[j], rank j expects recvs.at(j)[s].
  throw g.error(t.op,
                g.label(s) + " sends " + std::to_string(sends.at(s).counts[j]) + " elements to " + g.label(j) +
                    ", which expects " + std::to_string(recvs.at(j).counts[s]) +
                    (send_note.present() ? " (the split sizes agree: the tensors differ in a dim other than the "
                                           "split dims)"
                                         : ""),
                s);
}

}  // namespace spmd::runtime::detail
