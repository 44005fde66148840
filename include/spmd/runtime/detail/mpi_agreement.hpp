// spmd/runtime/detail/mpi_agreement.hpp - the MPI runtime's agreement protocol: which group a
// communicator is (its MPI communicator, size, rank, name, members, and how messages name its
// ranks), and the check that every rank of a group called the same collective with arguments that
// fit together (options::check_agreement), after which every rank throws the same comm_error
// naming the rank at fault. Private to <spmd/runtime/mpi.hpp>.
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
#include <spmd/runtime/detail/mpi_support.hpp>
#include <spmd/runtime/detail/process_rank.hpp>
#include <spmd/runtime/detail/split_messages.hpp>

namespace spmd::mpi::detail {

/// The mesh as one process sees it (its place in runtime::detail::mesh_place: index == rank in
/// MPI_COMM_WORLD).
struct mesh_state : runtime::detail::mesh_place {
  bool check_agreement = false;   // options::check_agreement
  MPI_Comm comm = MPI_COMM_NULL;  // a duplicate of MPI_COMM_WORLD, MPI_ERRORS_RETURN
  std::unique_ptr<watchdog> dog;
};

/// One group of ranks as this rank sees it: what a communicator is, and how messages name its
/// ranks.
struct group {
  MPI_Comm comm = MPI_COMM_NULL;
  std::size_t size = 0;
  std::size_t rank = 0;              // this rank's index in the group
  std::string name;                  // the group's axes, comma-separated in mesh order
  std::vector<std::size_t> members;  // the mesh index of each group rank
  mesh_state const* m = nullptr;

  /// "all_gather on group 'tp'", as a callable: the string is only built on an error.
  struct where_t {
    group const* g;
    op_kind op;
    [[nodiscard]] std::string operator()() const { return std::string(op_name(op)) + " on group '" + g->name + "'"; }
  };
  [[nodiscard]] where_t where(op_kind op) const noexcept { return {this, op}; }

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
    return comm_error("spmd: " + std::string(op_name(op)) + " on group '" + name + "': " + what,
                      comm_error::reason::mismatch, members[at]);
  }
};

/// Every rank's counts (n each) and note, gathered on every rank: the error path only.
struct all_noted {
  std::vector<std::size_t> counts;   // n * n
  std::vector<std::uint64_t> notes;  // 3 per rank: dim, per_index, given
  std::size_t n = 0;
  [[nodiscard]] runtime::detail::noted_counts at(std::size_t s) const {
    return {std::span(counts).subspan(s * n, n),
            split_note{static_cast<std::size_t>(notes[3 * s]), static_cast<std::size_t>(notes[3 * s + 1]),
                       notes[3 * s + 2] != 0}};
  }
};
[[nodiscard]] inline all_noted gather_noted(group const& g, std::span<std::size_t const> counts, split_note const& note,
                                            op_kind op) {
  using u64 = std::uint64_t;
  all_noted a;
  a.n = g.size;
  std::vector<u64> mine(counts.begin(), counts.end()), every(g.size * g.size);
  mine.resize(g.size);
  check(MPI_Allgather(mine.data(), static_cast<int>(g.size), MPI_UINT64_T, every.data(), static_cast<int>(g.size),
                      MPI_UINT64_T, g.comm),
        "MPI_Allgather", g.where(op));
  a.counts.assign(every.begin(), every.end());
  u64 const n3[3] = {note.dim, note.per_index, note.given ? u64{1} : u64{0}};
  a.notes.resize(3 * g.size);
  check(MPI_Allgather(n3, 3, MPI_UINT64_T, a.notes.data(), 3, MPI_UINT64_T, g.comm), "MPI_Allgather", g.where(op));
  return a;
}

/// Every rank's shape note, gathered on every rank: the error path only.
struct all_shapes {
  std::vector<std::uint64_t> heads;  // 3 per rank: known, free dim, number of dims
  std::vector<std::size_t> dims;     // every rank's extents, concatenated
  std::vector<std::size_t> offsets;  // where rank s's extents start in dims
  [[nodiscard]] shape_note at(std::size_t s) const {
    return {std::span<std::size_t const>(dims).subspan(offsets[s], static_cast<std::size_t>(heads[3 * s + 2])),
            static_cast<std::size_t>(heads[3 * s + 1]), heads[3 * s] != 0};
  }
};
[[nodiscard]] inline all_shapes gather_shapes(group const& g, shape_note const& shape, op_kind op) {
  using u64 = std::uint64_t;
  all_shapes a;
  u64 const head[3] = {shape.known ? u64{1} : u64{0}, shape.free_dim, shape.shape.size()};
  a.heads.resize(3 * g.size);
  check(MPI_Allgather(head, 3, MPI_UINT64_T, a.heads.data(), 3, MPI_UINT64_T, g.comm), "MPI_Allgather", g.where(op));
  std::vector<int> lens(g.size), displs(g.size);
  a.offsets.resize(g.size);
  std::size_t total = 0;
  for (std::size_t s = 0; s < g.size; ++s) {
    a.offsets[s] = total;
    lens[s] = static_cast<int>(a.heads[3 * s + 2]);
    displs[s] = static_cast<int>(total);
    total += a.heads[3 * s + 2];
  }
  std::vector<u64> mine(shape.shape.begin(), shape.shape.end()), every(total);
  check(MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_UINT64_T, every.data(), lens.data(),
                       displs.data(), MPI_UINT64_T, g.comm),
        "MPI_Allgatherv", g.where(op));
  a.dims.assign(every.begin(), every.end());
  return a;
}

/// The agreement check: one MPI_Allreduce (max of each field and of its complement, i.e. max and
/// min) of this rank's call signature {collective, element type, a, b, shape, has an error}. On a
/// disagreement every rank gathers all signatures (and, where needed, the counts or the faulty
/// rank's message), so that every rank throws the same comm_error naming the rank at fault.
inline void agree(group const& g, op_kind op, elem_kind elem, std::uint64_t a, std::uint64_t b,
                  std::optional<std::string> const& local, std::span<std::size_t const> counts, split_note const& note,
                  shape_note const& shape) {
  using u64 = std::uint64_t;
  constexpr int fields = 6;
  u64 const mine[fields] = {static_cast<u64>(op),   static_cast<u64>(elem), a, b, runtime::detail::shape_hash(shape),
                            local ? u64{1} : u64{0}};
  u64 red[2 * fields];
  for (int i = 0; i < fields; ++i) {
    red[i] = mine[i];
    red[fields + i] = ~mine[i];
  }
  check(MPI_Allreduce(MPI_IN_PLACE, red, 2 * fields, MPI_UINT64_T, MPI_MAX, g.comm), "MPI_Allreduce", g.where(op));
  bool same = true;
  for (int i = 0; i < 5; ++i) same = same && red[i] == ~red[fields + i];
  if (same && red[5] == 0) [[likely]]
    return;

  // Error path: every rank below runs the same calls on the same data.
  std::size_t const n = g.size;
  std::vector<u64> all(fields * n);
  check(MPI_Allgather(mine, fields, MPI_UINT64_T, all.data(), fields, MPI_UINT64_T, g.comm), "MPI_Allgather",
        g.where(op));
  auto const at = [&](std::size_t s, int f) { return all[s * fields + static_cast<std::size_t>(f)]; };
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
    if (at(s, 5) != 0) {  // rank s's own arguments are wrong: it tells everyone what
      u64 len = s == g.rank ? local->size() : 0;
      check(MPI_Bcast(&len, 1, MPI_UINT64_T, static_cast<int>(s), g.comm), "MPI_Bcast", g.where(op));
      std::string text = s == g.rank ? *local : std::string(len, ' ');
      check(MPI_Bcast(text.data(), static_cast<int>(len), MPI_CHAR, static_cast<int>(s), g.comm), "MPI_Bcast",
            g.where(op));
      throw g.error(op, text, s);
    }
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
  using u64 = std::uint64_t;
  auto const op = op_kind::all_to_all;
  std::size_t const n = g.size;
  std::vector<u64> sent(send_counts.begin(), send_counts.end()), got(n);
  check(MPI_Alltoall(sent.data(), 1, MPI_UINT64_T, got.data(), 1, MPI_UINT64_T, g.comm), "MPI_Alltoall", g.where(op));
  u64 key = n * n;  // the first (sender, receiver) pair that disagrees, as sender * n + receiver
  for (std::size_t s = 0; s < n && key == n * n; ++s)
    if (got[s] != recv_counts[s]) key = s * n + g.rank;
  check(MPI_Allreduce(MPI_IN_PLACE, &key, 1, MPI_UINT64_T, MPI_MIN, g.comm), "MPI_Allreduce", g.where(op));
  if (key == n * n) [[likely]]
    return;
  // From a typed collective: the first rank whose split sizes differ from rank 0's.
  auto const sends = gather_noted(g, send_counts, send_note, op), recvs = gather_noted(g, recv_counts, recv_note, op);
  if (auto d = runtime::detail::all_to_all_split_disagreement(
          n, [&](std::size_t k) { return sends.at(k); }, [&](std::size_t k) { return recvs.at(k); },
          [&](std::size_t k) { return g.coord_label(k); }))
    throw g.error(op, d->second, d->first);
  std::size_t const s = key / n, j = key % n;
  u64 vals[2] = {got[s], j == g.rank ? u64{recv_counts[s]} : u64{0}};
  check(MPI_Bcast(vals, 2, MPI_UINT64_T, static_cast<int>(j), g.comm), "MPI_Bcast", g.where(op));
  throw g.error(op,
                g.label(s) + " sends " + std::to_string(vals[0]) + " elements to " + g.label(j) + ", which expects " +
                    std::to_string(vals[1]) +
                    (send_note.present() ? " (the split sizes agree: the tensors differ in a dim other than the "
                                           "split dims)"
                                         : ""),
                s);
}

}  // namespace spmd::mpi::detail
