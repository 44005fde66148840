// spmd/runtime/detail/threads_world.hpp - the shared state of a running threads mesh: the world
// (axes, failure and finish bookkeeping, the registry of groups) and one group per communicator
// (the published buffers of its ranks and its abortable generation barrier).
// Private to <spmd/runtime/threads.hpp>.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <spmd/runtime/comm_error.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/runtime/detail/collective_kind.hpp>

namespace spmd::threads::detail {

using runtime::detail::elem_kind;
using runtime::detail::elem_name;
using runtime::detail::elem_of;
using runtime::detail::op_kind;
using runtime::detail::op_name;

/// What one rank passed to the collective it is in; written by that rank before the first
/// barrier of the collective, read by every rank of the group until the last one.
struct alignas(64) slot {
  op_kind op = op_kind::none;
  elem_kind elem = elem_kind::none;
  void const* in = nullptr;  // input buffer (all_reduce, broadcast: the in-place buffer)
  std::size_t in_size = 0;   // elements
  void* out = nullptr;       // output buffer
  std::size_t out_size = 0;  // elements
  std::size_t root = 0;
  std::size_t counts_len = 0;            // counts.size() as passed; counts[] valid iff == group size
  std::size_t recv_counts_len = 0;       // likewise for all_to_all's recv_counts
  std::size_t rows = 1;                  // reduce_scatter, all_gather: the full buffer's block_rows
  std::vector<std::size_t> counts;       // group size entries, allocated once
  std::vector<std::size_t> recv_counts;  // group size entries, allocated once
  split_note note;                       // what counts count (typed collectives), for the error messages
  split_note recv_note;                  // likewise for all_to_all's recv_counts
  shape_note shape;                      // the caller's local tensor shape (typed collectives), checked for agreement
};

struct world_state;

/// One group of ranks (the ranks of one mesh axis through a point, or of several axes
/// flattened). Shared by the group's threads; lives as long as the run.
struct group_state {
  group_state(world_state& w, std::string group_name, std::vector<std::size_t> world_ranks)
      : world(w), name(std::move(group_name)), members(std::move(world_ranks)), size(members.size()), slots(size) {
    for (auto& s : slots) {
      s.counts.resize(size);
      s.recv_counts.resize(size);
    }
  }
  group_state(group_state const&) = delete;
  group_state& operator=(group_state const&) = delete;

  /// First barrier of a collective: true once every member has arrived. Returns false, after
  /// withdrawing this member, if the barrier can never complete: the world is broken (a rank
  /// failed, or a deadlock was detected) or a member has finished.
  bool arrive_abortable();
  /// Later barriers of a collective: every member is known to be inside it, so it always completes
  /// and cannot be aborted (nobody may leave while others still read its buffers).
  void arrive();
  /// Wakes the sleepers so that they re-check whether the group can still complete (called after
  /// the world broke or a rank finished).
  void wake() {
    { std::lock_guard<std::mutex> lk(m); }
    cv.notify_all();
  }
  /// Whether the barrier can never complete (evaluated under m).
  [[nodiscard]] bool stopped() const noexcept;
  /// The group rank of the member that finished first, or size if none has.
  [[nodiscard]] std::size_t first_finished_member() const noexcept;
  /// "rank 1" or, when the group rank differs from the mesh index, "rank 1 (world rank 3)".
  [[nodiscard]] std::string label(std::size_t group_rank) const {
    std::string s = "rank " + std::to_string(group_rank);
    if (members[group_rank] != group_rank) s += " (world rank " + std::to_string(members[group_rank]) + ")";
    return s;
  }

  world_state& world;
  std::string const name;                  // "tp", or "dp,tp" for a flattened group
  std::vector<std::size_t> const members;  // mesh index of each group rank
  std::size_t const size;
  std::vector<slot> slots;  // one per group rank

 private:
  void complete(std::unique_lock<std::mutex>& lk, std::uint64_t gen, bool counted);
  bool spin_until_changed(std::uint64_t gen) const noexcept;

  alignas(64) std::mutex m;
  std::condition_variable cv;
  std::size_t arrived = 0;                   // guarded by m
  std::size_t sleepers = 0;                  // guarded by m
  std::atomic<std::uint64_t> generation{0};  // written under m; spinners read it without m
};

/// Per-rank bookkeeping, padded to a cache line.
struct alignas(64) rank_status {
  std::atomic<std::size_t> finished{0};            // 0, or the order in which it finished (1, 2, ...)
  std::atomic<op_kind> op{op_kind::none};          // last collective entered
  std::atomic<group_state const*> group{nullptr};  // ... and its group
};

enum class broken_kind : int { none = 0, failed = 1, deadlock = 2 };

struct world_state {
  world_state(std::vector<std::string> names, std::vector<std::size_t> sizes, std::chrono::nanoseconds spin_for)
      : axis_names(std::move(names)), axis_sizes(std::move(sizes)), spin(spin_for) {
    strides.resize(axis_sizes.size());
    std::size_t acc = 1;
    for (std::size_t a = axis_sizes.size(); a-- > 0;) {
      strides[a] = acc;
      acc *= axis_sizes[a];
    }
    world_size = acc;
    status = std::make_unique<rank_status[]>(world_size);
  }
  world_state(world_state const&) = delete;
  world_state& operator=(world_state const&) = delete;

  [[nodiscard]] std::size_t coord(std::size_t index, std::size_t axis) const noexcept {
    return index / strides[axis] % axis_sizes[axis];
  }

  /// The group over the axes in `mask` (bit a = mesh axis a) that contains rank `index`; created
  /// on first use, then shared. Thread-safe.
  group_state& group_for(std::uint64_t mask, std::size_t index) {
    std::size_t id = 0;  // row-major over the axes outside the mask
    for (std::size_t a = 0; a < axis_sizes.size(); ++a)
      if (!(mask >> a & 1u)) id = id * axis_sizes[a] + coord(index, a);
    std::lock_guard<std::mutex> lk(registry_mutex);
    for (auto const& e : groups)
      if (e.mask == mask && e.id == id) return *e.group;
    std::string name;
    std::size_t base = index, n = 1;
    for (std::size_t a = 0; a < axis_sizes.size(); ++a) {
      if (!(mask >> a & 1u)) continue;
      if (!name.empty()) name += ',';
      name += axis_names[a];
      base -= coord(index, a) * strides[a];
      n *= axis_sizes[a];
    }
    std::vector<std::size_t> members(n);
    for (std::size_t g = 0; g < n; ++g) {  // group rank g: row-major over the masked axes
      std::size_t rest = g, idx = base;
      for (std::size_t a = axis_sizes.size(); a-- > 0;) {
        if (!(mask >> a & 1u)) continue;
        idx += rest % axis_sizes[a] * strides[a];
        rest /= axis_sizes[a];
      }
      members[g] = idx;
    }
    groups.push_back({mask, id, std::make_unique<group_state>(*this, std::move(name), std::move(members))});
    return *groups.back().group;
  }

  /// Rank `index` let an exception escape: record the first one (rethrown by run()) and break the
  /// world so that every pending and later collective throws.
  void fail(std::size_t index, std::exception_ptr e) {
    {
      std::lock_guard<std::mutex> lk(broken_mutex);
      if (first_error) return;
      first_error = e;
      if (broken.load(std::memory_order_relaxed) == broken_kind::none) {
        broken_rank = index;
        broken_message = "spmd: rank " + std::to_string(index) + " failed: " + describe(e);
        broken.store(broken_kind::failed, std::memory_order_release);
      }
    }
    wake_all();
  }

  /// Rank `index` returned from its function: it will never join another collective.
  void finish(std::size_t index) {
    std::size_t const order = finished_count.fetch_add(1, std::memory_order_acq_rel) + 1;
    status[index].finished.store(order, std::memory_order_release);
    if (inactive.fetch_add(1, std::memory_order_acq_rel) + 1 == world_size) declare_deadlock();
    wake_all();
  }

  /// Called when the count of ranks that are finished or waiting in a first barrier reached the
  /// world size: no rank can complete any barrier any more. Unless every rank has simply
  /// finished, break the world with a message that says where each rank waits.
  void declare_deadlock() {
    {
      std::lock_guard<std::mutex> lk(broken_mutex);
      if (broken.load(std::memory_order_relaxed) != broken_kind::none) return;
      std::size_t const finished_now = finished_count.load(std::memory_order_acquire);
      if (finished_now == world_size) return;
      std::string msg =
          "spmd: deadlock: every rank has returned or waits in a collective that cannot "
          "complete (";
      std::size_t const shown = world_size < 16 ? world_size : 16;
      for (std::size_t i = 0; i < shown; ++i) {
        if (i != 0) msg += "; ";
        msg += "rank " + std::to_string(i) + ": ";
        if (status[i].finished.load(std::memory_order_acquire) != 0) {
          msg += "returned";
        } else {
          group_state const* g = status[i].group.load(std::memory_order_relaxed);
          msg += op_name(status[i].op.load(std::memory_order_relaxed));
          if (g != nullptr) msg += " on group '" + g->name + "'";
        }
      }
      if (shown < world_size) msg += "; ...";
      msg += "); check that all ranks call the same collectives in the same order";
      broken_message = std::move(msg);
      broken_finished = finished_now;
      broken.store(broken_kind::deadlock, std::memory_order_release);
    }
    wake_all();
  }

  void wake_all() {
    std::lock_guard<std::mutex> lk(registry_mutex);
    for (auto const& e : groups) e.group->wake();
  }

  static std::string describe(std::exception_ptr const& e) {
    try {
      std::rethrow_exception(e);
    } catch (std::exception const& x) {
      return x.what();
    } catch (...) {
      return "unknown exception (not derived from std::exception)";
    }
  }

  std::vector<std::string> const axis_names;
  std::vector<std::size_t> const axis_sizes;
  std::vector<std::size_t> strides;
  std::size_t world_size = 1;
  /// How long a barrier waiter yields its core (checking for completion) before it blocks.
  std::chrono::nanoseconds const spin;
  std::unique_ptr<rank_status[]> status;

  // Broken state: written once under broken_mutex, then published by broken (release).
  std::atomic<broken_kind> broken{broken_kind::none};
  std::mutex broken_mutex;
  std::size_t broken_rank = 0;
  std::size_t broken_finished = 0;  // ranks that had finished when the deadlock was declared
  std::string broken_message;
  std::exception_ptr first_error;  // guarded by broken_mutex; read by run() after joining

  std::atomic<std::size_t> finished_count{0};
  /// Ranks that have finished or wait in the first barrier of a collective (updated under the
  /// lock of that barrier's group). Reaching world_size means deadlock.
  alignas(64) std::atomic<std::size_t> inactive{0};

 private:
  struct entry {
    std::uint64_t mask;
    std::size_t id;
    std::unique_ptr<group_state> group;
  };
  std::mutex registry_mutex;
  std::vector<entry> groups;
};

// ---------------------------------------------------------------------------------------------

inline bool group_state::stopped() const noexcept {
  if (world.broken.load(std::memory_order_acquire) != broken_kind::none) return true;
  return world.finished_count.load(std::memory_order_acquire) != 0 && first_finished_member() != size;
}

inline std::size_t group_state::first_finished_member() const noexcept {
  std::size_t first = size, first_order = 0;
  for (std::size_t s = 0; s < size; ++s) {
    std::size_t const order = world.status[members[s]].finished.load(std::memory_order_acquire);
    if (order != 0 && (first == size || order < first_order)) {
      first = s;
      first_order = order;
    }
  }
  return first;
}

// Before blocking on the condition variable, a waiter yields its core for a while, checking
// whether the barrier completed. Yielding (not pausing) matters when ranks outnumber free cores:
// the rank being waited for gets the core. Futex wake-ups cost tens of microseconds on some
// machines; a yield loop sees the completion within about a microsecond.
// The spin also ends (returning false) as soon as the world breaks or some rank finishes, so that
// the caller re-checks under the lock whether the barrier can still complete.
inline bool group_state::spin_until_changed(std::uint64_t gen) const noexcept {
  if (world.spin.count() <= 0) return false;
  auto const deadline = std::chrono::steady_clock::now() + world.spin;
  std::size_t const finished = world.finished_count.load(std::memory_order_relaxed);
  for (;;) {
    if (generation.load(std::memory_order_acquire) != gen) return true;
    if (world.broken.load(std::memory_order_relaxed) != broken_kind::none ||
        world.finished_count.load(std::memory_order_relaxed) != finished)
      return false;
    std::this_thread::yield();
    if (std::chrono::steady_clock::now() >= deadline) return false;
  }
}

inline void group_state::complete(std::unique_lock<std::mutex>& lk, std::uint64_t gen, bool counted) {
  arrived = 0;
  if (counted && size > 1) world.inactive.fetch_sub(size - 1, std::memory_order_acq_rel);
  generation.store(gen + 1, std::memory_order_release);
  bool const wake_sleepers = sleepers != 0;
  lk.unlock();
  if (wake_sleepers) cv.notify_all();
}

inline bool group_state::arrive_abortable() {
  std::unique_lock<std::mutex> lk(m);
  if (stopped()) return false;
  std::uint64_t const gen = generation.load(std::memory_order_relaxed);
  if (++arrived == size) {
    complete(lk, gen, true);
    return true;
  }
  bool const all_inactive = world.inactive.fetch_add(1, std::memory_order_acq_rel) + 1 == world.world_size;
  lk.unlock();
  if (all_inactive) {
    world.declare_deadlock();
  } else if (spin_until_changed(gen)) {
    return true;
  }
  lk.lock();
  ++sleepers;
  while (generation.load(std::memory_order_relaxed) == gen) {
    if (stopped()) {
      --arrived;
      --sleepers;
      world.inactive.fetch_sub(1, std::memory_order_acq_rel);
      return false;
    }
    cv.wait(lk);
  }
  --sleepers;
  return true;
}

inline void group_state::arrive() {
  std::unique_lock<std::mutex> lk(m);
  std::uint64_t const gen = generation.load(std::memory_order_relaxed);
  if (++arrived == size) {
    complete(lk, gen, false);
    return;
  }
  lk.unlock();
  if (spin_until_changed(gen)) return;
  lk.lock();
  ++sleepers;
  cv.wait(lk, [&] { return generation.load(std::memory_order_relaxed) != gen; });
  --sleepers;
}

}  // namespace spmd::threads::detail
