// spmd/runtime/detail/process_rank.hpp - what the runtimes with one rank per process (MPI, c10d)
// share about a rank: its place in the mesh (axes, strides, coordinates), the members of each of
// its groups, and the rank's members that look them up (index, coord, axis_size, comm: one per
// axis made at the start, flattened ones made on first use and cached). Private to the runtimes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spmd/runtime/detail/mesh_spec.hpp>

namespace spmd::runtime::detail {

/// The mesh as one process sees it: its axes and this process's place on them.
struct mesh_place {
  std::vector<std::string> names;
  std::vector<std::size_t> sizes;
  std::vector<std::size_t> strides;  // row-major: the last axis varies fastest
  std::vector<std::size_t> coords;   // this rank's coordinates
  std::size_t world_size = 1;
  std::size_t index = 0;  // this rank's index in the mesh (== its rank in the job)

  /// Places rank `idx` on the checked mesh `spec`.
  void place(mesh_spec&& spec, std::size_t idx) {
    world_size = spec.world_size;
    names = std::move(spec.names);
    sizes = std::move(spec.sizes);
    index = idx;
    strides.assign(sizes.size(), 1);
    for (std::size_t a = sizes.size(); a-- > 1;) strides[a - 1] = strides[a] * sizes[a];
    coords.clear();
    for (std::size_t a = 0; a < sizes.size(); ++a) coords.push_back(index / strides[a] % sizes[a]);
  }
};

/// The ranks that differ from this one only on the axes of a mask.
struct group_members {
  std::string name;                  // the axes, comma-separated in mesh order: "dp,tp"
  std::vector<std::size_t> members;  // their mesh indices, in group rank order
  std::size_t base = 0;              // the lowest member
  std::size_t group_rank = 0;        // this rank's place among them
};

/// The group of the ranks that differ from `m`'s only on the axes in `mask` (bit a: mesh axis a):
/// group rank = row-major over the masked axes, in mesh order.
[[nodiscard]] inline group_members members_of(mesh_place const& m, std::uint64_t mask) {
  group_members g;
  g.base = m.index;
  for (std::size_t a = 0; a < m.names.size(); ++a)
    if (mask >> a & 1u) {
      g.base -= m.coords[a] * m.strides[a];
      g.name += (g.name.empty() ? "" : ",") + m.names[a];
    }
  g.members.push_back(g.base);
  for (std::size_t a = 0; a < m.names.size(); ++a)
    if (mask >> a & 1u) {
      std::vector<std::size_t> next;
      next.reserve(g.members.size() * m.sizes[a]);
      for (std::size_t mbr : g.members)
        for (std::size_t c = 0; c < m.sizes[a]; ++c) next.push_back(mbr + c * m.strides[a]);
      g.members = std::move(next);
      g.group_rank = g.group_rank * m.sizes[a] + m.coords[a];
    }
  return g;
}

/// The members of a process runtime's rank that look up its place and its groups. `Derived`
/// holds the mesh_place as `m_` and makes a group's communicator with `make_group(mask)` (a
/// std::unique_ptr<Comm>); it befriends this class and calls `make_axis_groups()` once, in mesh
/// order on every rank.
template <class Derived, class Comm>
class process_rank {
 public:
  /// This rank's index in the mesh: row-major over the axes in mesh order; equal to its rank in
  /// the job.
  [[nodiscard]] std::size_t index() const noexcept { return place().index; }
  /// Number of ranks in the mesh (== the number of processes of the job).
  [[nodiscard]] std::size_t world_size() const noexcept { return place().world_size; }
  /// This rank's coordinate on `axis` (std::invalid_argument if there is no such axis).
  [[nodiscard]] std::size_t coord(std::string_view axis) const {
    return place().coords[axis_index(place().names, axis, "coord")];
  }
  /// The size of `axis` (std::invalid_argument if there is no such axis).
  [[nodiscard]] std::size_t axis_size(std::string_view axis) const {
    return place().sizes[axis_index(place().names, axis, "axis_size")];
  }
  /// The mesh's axis names, in mesh order.
  [[nodiscard]] std::span<std::string const> axis_names() const noexcept { return place().names; }

  /// The communicator of the ranks that differ from this one only on `axis`; group rank = the
  /// coordinate on `axis`. Created by run().
  [[nodiscard]] Comm& comm(std::string_view axis) { return *axis_comms_[axis_index(place().names, axis, "comm")]; }

  /// The communicator of the ranks that differ from this one only on `axes` (flattened): group
  /// rank = row-major over those axes in MESH order, whatever order they are listed in. Created on
  /// first use (collective over that group's ranks only) and cached.
  [[nodiscard]] Comm& comm(std::initializer_list<std::string_view> axes) {
    return comm(std::span<std::string_view const>(axes.begin(), axes.size()));
  }
  [[nodiscard]] Comm& comm(std::span<std::string_view const> axes) {
    auto const [mask, first] = axis_set_of(place().names, axes);
    if (axes.size() == 1) return *axis_comms_[first];
    for (auto& [m, c] : flat_comms_)
      if (m == mask) return *c;
    flat_comms_.emplace_back(mask, self().make_group(mask));
    return *flat_comms_.back().second;
  }

 protected:
  process_rank() = default;
  ~process_rank() = default;

  /// One communicator per mesh axis, in mesh order.
  void make_axis_groups() {
    axis_comms_.reserve(place().names.size());
    for (std::size_t a = 0; a < place().names.size(); ++a)
      axis_comms_.push_back(self().make_group(std::uint64_t{1} << a));
  }
  /// Frees every communicator (flattened ones first).
  void free_groups() noexcept {
    flat_comms_.clear();
    axis_comms_.clear();
  }

  std::vector<std::unique_ptr<Comm>> axis_comms_;
  std::vector<std::pair<std::uint64_t, std::unique_ptr<Comm>>> flat_comms_;

 private:
  [[nodiscard]] Derived& self() noexcept { return static_cast<Derived&>(*this); }
  [[nodiscard]] mesh_place const& place() const noexcept { return static_cast<Derived const&>(*this).m_; }
};

}  // namespace spmd::runtime::detail
