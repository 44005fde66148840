// spmd/runtime/detail/split_messages.hpp - a disagreement about the counts of a collective, said
// in the units of the split the counts come from (spmd::split_note): the extents along the split
// dim that each rank passed as split sizes (or that follow from its tensor), not element counts.
// Shared by the runtimes' agreement checks; only called to describe an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spmd/runtime/communicator.hpp>
#include <spmd/runtime/detail/fingerprint.hpp>

namespace spmd::runtime::detail {

[[nodiscard]] inline std::string format_list(std::span<std::size_t const> c) {
  std::string s = "[";
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (i != 0) s += ", ";
    s += std::to_string(c[i]);
  }
  return s + "]";
}

/// The mesh coordinates of rank `group_rank` of the group named `group` ("tp" or "dp,tp"; ranks
/// row-major in mesh order), given the size of each axis (`size_of(name)`): "tp=1", "dp=0, tp=1".
template <class SizeOf>
[[nodiscard]] std::string coords_text(std::string_view group, std::size_t group_rank, SizeOf const& size_of) {
  std::vector<std::string_view> names;
  for (std::size_t begin = 0, i = 0; i <= group.size(); ++i)
    if (i == group.size() || group[i] == ',') {
      names.push_back(group.substr(begin, i - begin));
      begin = i + 1;
    }
  std::vector<std::size_t> coords(names.size());
  for (std::size_t k = names.size(); k-- > 0;) {
    std::size_t const size = size_of(names[k]);
    coords[k] = size == 0 ? 0 : group_rank % size;
    group_rank = size == 0 ? 0 : group_rank / size;
  }
  std::string s;
  for (std::size_t k = 0; k < names.size(); ++k)
    s += (k ? ", " : "") + std::string(names[k]) + "=" + std::to_string(coords[k]);
  return s;
}

/// One rank's counts of a collective with the note that says what they count.
struct noted_counts {
  std::span<std::size_t const> counts;
  split_note note;
};

/// The extents along the split dim (counts / per_index), if the counts have a note and divide.
[[nodiscard]] inline std::optional<std::vector<std::size_t>> extents_of(noted_counts const& c) {
  if (!c.note.present() || c.note.per_index == 0) return std::nullopt;
  std::vector<std::size_t> e(c.counts.size());
  for (std::size_t i = 0; i < e.size(); ++i) {
    if (c.counts[i] % c.note.per_index != 0) return std::nullopt;
    e[i] = c.counts[i] / c.note.per_index;
  }
  return e;
}

/// Why rank `s`'s counts differ from rank `t`'s (`ls`, `lt`: their labels), in split sizes along
/// the split dim: "rank 1 (tp=1) passed split sizes [2, 2] along dim 0, rank 0 (tp=0) passed
/// [3, 1]". `which` names the split ("" or, for all_to_all, "src " / "dst "). With
/// `per_index_too`, counts that differ only in their elements per index are described as tensors
/// that differ in another dim. Nothing if either rank's counts have no note (they are the
/// caller's own element counts) or nothing explains the difference in these units.
[[nodiscard]] inline std::optional<std::string> split_disagreement(noted_counts const& s, std::string const& ls,
                                                                   noted_counts const& t, std::string const& lt,
                                                                   char const* which, bool per_index_too) {
  if (!s.note.present() || !t.note.present()) return std::nullopt;
  auto const es = extents_of(s), et = extents_of(t);
  auto const along = [](std::size_t dim) { return " along dim " + std::to_string(dim); };
  if (es && et && (*es != *et || s.note.dim != t.note.dim)) {
    std::string text =
        ls + (s.note.given ? " passed " + std::string(which) + "split sizes " + format_list(*es) + along(s.note.dim)
                           : " passed no " + std::string(which) + "split sizes (so " + format_list(*es) +
                                 along(s.note.dim) + ")");
    bool const same_dim = s.note.dim == t.note.dim;
    std::string const at = same_dim ? "" : along(t.note.dim);
    text += ", " + lt +
            (t.note.given ? " passed " + format_list(*et) + at : " passed none (so " + format_list(*et) + at + ")");
    if (!s.note.given || !t.note.given) text += "; uneven shards need the same split sizes on every rank";
    return text;
  }
  if (per_index_too && s.note.dim == t.note.dim && s.note.per_index != t.note.per_index)
    return ls + " has " + std::to_string(s.note.per_index) + " elements per index of dim " +
           std::to_string(s.note.dim) + ", " + lt + " has " + std::to_string(t.note.per_index) +
           ": the tensors differ in a dim other than the split dim";
  return std::nullopt;
}

/// Why rank `s`'s tensor differs from rank `t`'s (`ls`, `lt`: their labels) outside the dim along
/// which extents may differ: "rank 1 holds a local tensor of shape [3, 2], rank 0 holds [2, 3];
/// the ranks of a group must hold the same shape". Nothing if they agree or either has no note.
[[nodiscard]] inline std::optional<std::string> shape_disagreement(shape_note const& s, std::string const& ls,
                                                                   shape_note const& t, std::string const& lt) {
  if (!s.known || !t.known) return std::nullopt;
  bool same = s.shape.size() == t.shape.size() && s.free_dim == t.free_dim;
  for (std::size_t k = 0; same && k < s.shape.size(); ++k) same = k == s.free_dim || s.shape[k] == t.shape[k];
  if (same) return std::nullopt;
  std::string text = ls + " holds a local tensor of shape " + format_list(s.shape) + ", " + lt + " holds " +
                     format_list(t.shape) + "; the ranks of a group must hold the same shape";
  if (s.free_dim == t.free_dim && s.free_dim != shape_note::no_dim)
    text += " except along dim " + std::to_string(s.free_dim) + " (the split dim)";
  return text;
}

/// FNV-1a of a shape note with the free dim's extent left out: equal on two ranks iff (with
/// overwhelming probability) shape_disagreement finds nothing; 0 for no note.
[[nodiscard]] inline std::uint64_t shape_hash(shape_note const& n) noexcept {
  if (!n.known) return 0;
  fnv1a h;
  h.mix(n.shape.size());
  h.mix(n.free_dim);
  for (std::size_t k = 0; k < n.shape.size(); ++k) h.mix(k == n.free_dim ? ~std::uint64_t{0} : n.shape[k]);
  return h.value() | 1;  // never 0 (0 means no note)
}

/// all_to_all: the first rank whose dst split (its send counts) or src split (its receive counts)
/// differs from rank 0's, with the description; nothing if no notes or the splits agree.
/// `send(s)`, `recv(s)`: rank s's noted counts; `label(s)`: its label.
template <class Send, class Recv, class Label>
[[nodiscard]] std::optional<std::pair<std::size_t, std::string>> all_to_all_split_disagreement(std::size_t n,
                                                                                               Send const& send,
                                                                                               Recv const& recv,
                                                                                               Label const& label) {
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t s = 1; s < n; ++s) {
      auto const text = pass == 0 ? split_disagreement(send(s), label(s), send(0), label(0), "dst ", false)
                                  : split_disagreement(recv(s), label(s), recv(0), label(0), "src ", false);
      if (text) return std::pair{s, *text};
    }
  return std::nullopt;
}

}  // namespace spmd::runtime::detail
