// spmd/runtime/detail/threads_checks.hpp - the agreement check of a collective. After the first
// barrier every rank runs it on the slots published by all ranks of the group; it is a
// deterministic function of those slots, so every rank reaches the same verdict and throws the
// same comm_error. Nothing here allocates unless there is an error to report.
// Private to <spmd/runtime/threads.hpp>.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <spmd/runtime/comm_error.hpp>
#include <spmd/runtime/detail/buffer_checks.hpp>
#include <spmd/runtime/detail/split_messages.hpp>
#include <spmd/runtime/detail/threads_world.hpp>

namespace spmd::threads::detail {

[[nodiscard]] inline std::size_t sum_counts(std::size_t const* c, std::size_t n) noexcept {
  std::size_t t = 0;
  for (std::size_t i = 0; i < n; ++i) t += c[i];
  return t;
}

[[nodiscard]] inline std::size_t prefix_counts(std::size_t const* c, std::size_t end) noexcept {
  return sum_counts(c, end);
}

/// "rank 1 (tp=1)", or "rank 1 (tp=1, world rank 3)": group rank `s` of `g` with its mesh
/// coordinates on the group's axes (for messages about split sizes, which are per axis).
[[nodiscard]] inline std::string coord_label(group_state const& g, std::size_t s) {
  auto const size_of = [&w = g.world](std::string_view name) {
    for (std::size_t a = 0; a < w.axis_names.size(); ++a)
      if (w.axis_names[a] == name) return w.axis_sizes[a];
    return std::size_t{0};
  };
  std::string out = "rank " + std::to_string(s) + " (" + runtime::detail::coords_text(g.name, s, size_of);
  if (g.members[s] != s) out += ", world rank " + std::to_string(g.members[s]);
  return out + ")";
}

/// Rank s's counts (or recv_counts) with their note.
[[nodiscard]] inline runtime::detail::noted_counts noted(group_state const& g, std::size_t s, bool recv) {
  slot const& x = g.slots[s];
  return recv ? runtime::detail::noted_counts{{x.recv_counts.data(), g.size}, x.recv_note}
              : runtime::detail::noted_counts{{x.counts.data(), g.size}, x.note};
}

[[nodiscard]] inline std::size_t elem_bytes(elem_kind e) noexcept {
  return e == elem_kind::f32 ? 4 : 8;
}

/// The error every rank of group `g` must throw for the collective whose arguments are in its
/// slots, or nothing if the ranks agree.
[[nodiscard]] inline std::optional<comm_error> check_agreement(group_state const& g) {
  std::size_t const n = g.size;
  slot const& s0 = g.slots[0];
  auto const fail = [&](std::size_t s, std::string const& what) {
    return std::optional<comm_error>(std::in_place,
                                     "spmd: " + std::string(op_name(s0.op)) + " on group '" + g.name + "': " + what,
                                     comm_error::reason::mismatch, g.members[s]);
  };
  for (std::size_t s = 1; s < n; ++s) {
    slot const& x = g.slots[s];
    if (x.op != s0.op || x.elem != s0.elem) {
      auto const call = [](slot const& y) {
        std::string c = op_name(y.op);
        if (y.elem != elem_kind::none) c += std::string("(") + elem_name(y.elem) + ")";
        return c;
      };
      return std::optional<comm_error>(std::in_place,
                                       "spmd: collective mismatch on group '" + g.name + "': " + g.label(0) +
                                           " called " + call(s0) + " but " + g.label(s) + " called " + call(x) +
                                           "; all ranks of a group must call the same collectives in the same order",
                                       comm_error::reason::mismatch, g.members[s]);
    }
  }
  for (std::size_t s = 1; s < n; ++s)
    if (auto text =
            runtime::detail::shape_disagreement(g.slots[s].shape, coord_label(g, s), s0.shape, coord_label(g, 0)))
      return fail(s, *text);
  std::size_t const eb = elem_bytes(s0.elem);
  auto const counts_agree = [&](bool recv) -> std::optional<comm_error> {
    for (std::size_t s = 0; s < n; ++s) {
      std::size_t const len = recv ? g.slots[s].recv_counts_len : g.slots[s].counts_len;
      if (len != n)
        return fail(s, g.label(s) + " passed " + std::to_string(len) + (recv ? " recv_counts" : " counts") +
                           " for a group of " + std::to_string(n) + " ranks");
    }
    return std::nullopt;
  };

  switch (s0.op) {
    case op_kind::all_reduce_sum:
      for (std::size_t s = 1; s < n; ++s)
        if (g.slots[s].in_size != s0.in_size)
          return fail(s, g.label(s) + " passed " + std::to_string(g.slots[s].in_size) + " elements, " + g.label(0) +
                             " passed " + std::to_string(s0.in_size));
      return std::nullopt;

    case op_kind::broadcast:
      for (std::size_t s = 0; s < n; ++s) {
        slot const& x = g.slots[s];
        if (x.root != s0.root)
          return fail(s, g.label(s) + " passed root " + std::to_string(x.root) + ", " + g.label(0) + " passed root " +
                             std::to_string(s0.root));
      }
      if (s0.root >= n)
        return fail(0,
                    "root " + std::to_string(s0.root) + " is not a rank of the group (size " + std::to_string(n) + ")");
      for (std::size_t s = 0; s < n; ++s)
        if (g.slots[s].in_size != g.slots[s0.root].in_size)
          return fail(s, g.label(s) + " passed " + std::to_string(g.slots[s].in_size) + " elements, the root (" +
                             g.label(s0.root) + ") passed " + std::to_string(g.slots[s0.root].in_size));
      return std::nullopt;

    case op_kind::agree_split:
    case op_kind::reduce_scatter_sum:
    case op_kind::all_gather: {
      bool const gather = s0.op == op_kind::all_gather;
      if (auto e = counts_agree(false)) return e;
      for (std::size_t s = 1; s < n; ++s)
        for (std::size_t i = 0; i < n; ++i)
          if (g.slots[s].counts[i] != s0.counts[i]) {
            // From a typed collective: in its split sizes; otherwise in the caller's counts.
            if (auto text = runtime::detail::split_disagreement(noted(g, s, false), coord_label(g, s),
                                                                noted(g, 0, false), coord_label(g, 0), "", true))
              return fail(s, *text);
            return fail(s, g.label(s) + " passed counts " +
                               runtime::detail::format_list({g.slots[s].counts.data(), n}) + ", " + g.label(0) +
                               " passed " + runtime::detail::format_list({s0.counts.data(), n}));
          }
      if (s0.op == op_kind::agree_split) return std::nullopt;  // no buffers
      for (std::size_t s = 1; s < n; ++s)
        if (g.slots[s].rows != s0.rows)
          return fail(s, g.label(s) + " passed " + std::to_string(g.slots[s].rows) + " block rows, " + g.label(0) +
                             " passed " + std::to_string(s0.rows));
      for (std::size_t i = 0; i < n; ++i)
        if (s0.rows == 0 || s0.counts[i] % s0.rows != 0)
          return fail(0, "counts " + runtime::detail::format_list({s0.counts.data(), n}) + " do not split into " +
                             std::to_string(s0.rows) + " block rows");
      std::size_t const total = sum_counts(s0.counts.data(), n);
      for (std::size_t s = 0; s < n; ++s) {
        slot const& x = g.slots[s];
        std::size_t const mine = s0.counts[s];
        std::size_t const full_size = gather ? x.out_size : x.in_size;
        std::size_t const block_size = gather ? x.in_size : x.out_size;
        // In place is allowed only as this rank's own block of the full buffer.
        char const* full = static_cast<char const*>(gather ? static_cast<void const*>(x.out) : x.in);
        void const* block = gather ? x.in : static_cast<void const*>(x.out);
        void const* own = full + prefix_counts(s0.counts.data(), s) / s0.rows * eb;
        // In rows, a block of the full buffer is not contiguous: no block buffer can be it.
        if (auto e = runtime::detail::block_buffers_error([&] { return g.label(s); }, gather, full, full_size, block,
                                                          block_size, mine, total, block == own && s0.rows == 1, eb))
          return fail(s, *e);
      }
      return std::nullopt;
    }

    case op_kind::all_to_all: {
      if (auto e = counts_agree(false)) return e;
      if (auto e = counts_agree(true)) return e;
      for (std::size_t s = 0; s < n; ++s) {
        slot const& x = g.slots[s];
        for (std::size_t j = 0; j < n; ++j)
          if (x.counts[j] != g.slots[j].recv_counts[s]) {
            // From a typed collective: the first rank whose split sizes differ from rank 0's.
            if (auto d = runtime::detail::all_to_all_split_disagreement(
                    n, [&](std::size_t k) { return noted(g, k, false); },
                    [&](std::size_t k) { return noted(g, k, true); }, [&](std::size_t k) { return coord_label(g, k); }))
              return fail(d->first, d->second);
            return fail(s, g.label(s) + " sends " + std::to_string(x.counts[j]) + " elements to " + g.label(j) +
                               ", which expects " + std::to_string(g.slots[j].recv_counts[s]) +
                               (x.note.present() ? " (the split sizes agree: the tensors differ in a dim other "
                                                   "than the split dims)"
                                                 : ""));
          }
        std::size_t const send_total = sum_counts(x.counts.data(), n);
        std::size_t const recv_total = sum_counts(x.recv_counts.data(), n);
        if (x.in_size != send_total)
          return fail(s, g.label(s) + " passed a send buffer of " + std::to_string(x.in_size) +
                             " elements, send_counts sum to " + std::to_string(send_total));
        if (x.out_size != recv_total)
          return fail(s, g.label(s) + " passed a recv buffer of " + std::to_string(x.out_size) +
                             " elements, recv_counts sum to " + std::to_string(recv_total));
        if (runtime::detail::overlaps(x.in, x.in_size * eb, x.out, x.out_size * eb))
          return fail(s, g.label(s) + "'s send and recv buffers overlap (all_to_all cannot work in place)");
      }
      return std::nullopt;
    }

    case op_kind::barrier:
    case op_kind::mesh_check:
    case op_kind::group_creation:
    case op_kind::teardown:
    case op_kind::none:
      break;
  }
  return std::nullopt;
}

}  // namespace spmd::threads::detail
