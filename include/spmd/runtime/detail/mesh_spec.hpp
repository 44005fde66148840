// spmd/runtime/detail/mesh_spec.hpp - the mesh a runtime is asked to run, checked once for both
// runtimes: at least one axis, at most 64, names non-empty, distinct and free of ',' (which
// separates the axes of a flattened group: "dp,tp"), sizes >= 1, and a product the runtime can
// address. Private to the runtimes.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace spmd::runtime_detail {

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

}  // namespace spmd::runtime_detail
