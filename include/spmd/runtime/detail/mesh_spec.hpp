// spmd/runtime/detail/mesh_spec.hpp - the mesh a runtime is asked to run, checked once for both
// runtimes: at least one axis, at most 64, names non-empty, distinct and free of ',' (which
// separates the axes of a flattened group: "dp,tp"), sizes >= 1, and a product the runtime can
// address; and the lookups of axes by name that both runtimes' rank::comm/coord/axis_size make.
// Private to the runtimes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spmd::runtime::detail {

/// A checked mesh: names and sizes in mesh order, the number of ranks, and its text
/// ("{dp: 2, tp: 2}") for messages.
struct mesh_spec {
  std::vector<std::string> names;
  std::vector<std::size_t> sizes;
  std::size_t world_size = 1;
  std::string text;
};

/// The mesh `mesh_sizes` (axis name, size; in mesh order), or std::invalid_argument naming the
/// runtime (`who`: "threads::run", "mpi::run") and what is wrong. `max_ranks`: the most ranks the
/// runtime can address.
[[nodiscard]] inline mesh_spec checked_mesh(std::vector<std::pair<std::string, std::size_t>> const& mesh_sizes,
                                            char const* who, std::size_t max_ranks) {
  auto const fail = [who](std::string const& what) {
    return std::invalid_argument("spmd: " + std::string(who) + ": " + what);
  };
  if (mesh_sizes.empty()) throw fail("the mesh needs at least one axis, e.g. {{\"dp\", 2}}");
  if (mesh_sizes.size() > 64) throw fail("a mesh has at most 64 axes");
  mesh_spec m;
  for (auto const& [name, size] : mesh_sizes) {
    if (name.empty()) throw fail("a mesh axis name is empty");
    if (name.find(',') != std::string::npos)
      throw fail("mesh axis name '" + name +
                 "' contains ',', which separates the axes of a flattened group (\"dp,tp\"); choose another name");
    for (auto const& n : m.names)
      if (n == name) throw fail("the mesh names axis '" + name + "' twice");
    if (size == 0) throw fail("mesh axis '" + name + "' has size 0 (must be >= 1)");
    if (m.world_size > max_ranks / size) throw fail("the mesh has more ranks than the runtime can address");
    m.world_size *= size;
    m.names.push_back(name);
    m.sizes.push_back(size);
    if (!m.text.empty()) m.text += ", ";
    m.text += name;
    m.text += ": ";
    m.text += std::to_string(size);
  }
  m.text.insert(m.text.begin(), '{');
  m.text.push_back('}');
  return m;
}

/// The index of `axis` among the mesh's axis `names`, or std::invalid_argument naming the rank
/// member that asked (`fn`: "comm", "coord", ...) and the axes there are.
[[nodiscard]] inline std::size_t axis_index(std::span<std::string const> names, std::string_view axis, char const* fn) {
  for (std::size_t a = 0; a < names.size(); ++a)
    if (names[a] == axis) return a;
  std::string msg = "spmd: rank::" + std::string(fn) + ": the mesh has no axis '" + std::string(axis) + "' (axes:";
  for (auto const& n : names) msg += " " + n;
  throw std::invalid_argument(msg + ")");
}

/// A set of mesh axes: bit a stands for mesh axis a; `last` is the index of the last one listed.
struct axis_set {
  std::uint64_t mask = 0;
  std::size_t last = 0;
};

/// The axes of a flattened group (rank::comm({"dp", "tp"})), or std::invalid_argument for an
/// empty list, an unknown axis or an axis listed twice.
[[nodiscard]] inline axis_set axis_set_of(std::span<std::string const> names, std::span<std::string_view const> axes) {
  if (axes.empty()) throw std::invalid_argument("spmd: rank::comm: the list of axes is empty");
  axis_set out;
  for (std::string_view a : axes) {
    std::size_t const i = axis_index(names, a, "comm");
    if (out.mask >> i & 1u)
      throw std::invalid_argument("spmd: rank::comm: axis '" + std::string(a) + "' is listed twice");
    out.mask |= std::uint64_t{1} << i;
    out.last = i;
  }
  return out;
}

}  // namespace spmd::runtime::detail
