// spmd/runtime/threads.hpp - the in-process threads runtime: N ranks as N threads over a mesh of
// named axes, with collectives through shared memory.
//
//   spmd::threads::run({{"dp", 2}, {"tp", 2}}, [](spmd::threads::rank& r) {
//     std::vector<float> g = ...;
//     r.comm("dp").all_reduce_sum(g);
//   });
//
// Each collective publishes the caller's buffer pointers in the group's shared state, waits for
// the group (first barrier; this is where faults of other ranks are noticed), checks that all
// ranks agree, then reads (and for all_reduce, writes) the other ranks' buffers directly, and
// waits once more so that nobody returns while another rank still touches its buffers.
// See docs/runtime.md.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <spmd/runtime/comm_error.hpp>
#include <spmd/runtime/communicator.hpp>
#include <spmd/runtime/detail/buffer_collectives.hpp>
#include <spmd/runtime/detail/mesh_spec.hpp>
#include <spmd/runtime/detail/threads_checks.hpp>
#include <spmd/runtime/detail/threads_kernels.hpp>
#include <spmd/runtime/detail/threads_world.hpp>

namespace spmd::threads {

class rank;

namespace detail {
void run_mesh(std::vector<std::pair<std::string, std::size_t>> const& mesh_sizes, void (*call)(void*, rank&), void* fn);
}

/// The communicator of one group of ranks of a running mesh, as seen by one of them (each rank
/// has its own object; the group state behind it is shared). Obtained from rank::comm(); models
/// spmd::communicator. Only the thread of its rank may use it. The collectives
/// (runtime::detail::buffer_collectives) move the data through shared memory; all_reduce_sum gives
/// every rank bit-identical results.
class communicator : public runtime::detail::buffer_collectives<communicator> {
 public:
  communicator(communicator const&) = delete;
  communicator& operator=(communicator const&) = delete;

  /// Number of ranks in the group.
  [[nodiscard]] std::size_t size() const noexcept { return g_->size; }
  /// This rank's index in the group.
  [[nodiscard]] std::size_t rank() const noexcept { return r_; }
  /// The group's axes, comma-separated in mesh order: "tp", "dp,tp".
  [[nodiscard]] std::string_view name() const noexcept { return g_->name; }
  /// The mesh index of each rank of the group, in group rank order.
  [[nodiscard]] std::span<std::size_t const> world_ranks() const noexcept { return g_->members; }

  using runtime::detail::buffer_collectives<communicator>::reduce_scatter_sum;
  using runtime::detail::buffer_collectives<communicator>::all_gather;

  /// reduce_scatter_sum with `in` in `rows` rows (see spmd::block_rows); `out` may not overlap
  /// `in` then.
  void reduce_scatter_sum(std::span<float const> in, std::span<float> out, std::span<std::size_t const> counts,
                          block_rows rows, split_note const& note = {}, shape_note const& shape = {}) {
    reduce_scatter_impl(in, out, counts, note, shape, rows);
  }
  void reduce_scatter_sum(std::span<double const> in, std::span<double> out, std::span<std::size_t const> counts,
                          block_rows rows, split_note const& note = {}, shape_note const& shape = {}) {
    reduce_scatter_impl(in, out, counts, note, shape, rows);
  }
  /// all_gather with `out` in `rows` rows (see spmd::block_rows); `in` may not overlap `out` then.
  void all_gather(std::span<float const> in, std::span<float> out, std::span<std::size_t const> counts, block_rows rows,
                  split_note const& note = {}, shape_note const& shape = {}) {
    all_gather_impl(in, out, counts, note, shape, rows);
  }
  void all_gather(std::span<double const> in, std::span<double> out, std::span<std::size_t const> counts,
                  block_rows rows, split_note const& note = {}, shape_note const& shape = {}) {
    all_gather_impl(in, out, counts, note, shape, rows);
  }

  /// Checks that every rank of the group passed the same split (`counts`, with `note` saying what
  /// they count); otherwise throws the same comm_error on every rank. Moves no data; waits for
  /// the group like a barrier. The typed convert to an uneven shard calls it.
  void agree_split(std::span<std::size_t const> counts, split_note const& note = {}) {
    detail::slot& s = publish(detail::op_kind::agree_split, detail::elem_kind::none);
    s.note = note;
    set_counts(s.counts, s.counts_len, counts);
    enter(detail::op_kind::agree_split);
    leave();
  }

  /// Returns once every rank of the group has called it.
  void barrier() {
    publish(detail::op_kind::barrier, detail::elem_kind::none);
    enter(detail::op_kind::barrier);
    leave();  // the slots must stay valid until every rank has checked them
  }

 private:
  friend class threads::rank;
  friend class runtime::detail::buffer_collectives<communicator>;
  communicator(detail::group_state& g, std::size_t group_rank, std::size_t index)
      : g_(&g), r_(group_rank), index_(index) {}

  detail::slot& publish(detail::op_kind op, detail::elem_kind elem, shape_note const& shape = {}) {
    detail::slot& s = g_->slots[r_];
    s.op = op;
    s.elem = elem;
    s.shape = shape;
    s.rows = 1;
    return s;
  }
  static void set_counts(std::vector<std::size_t>& dst, std::size_t& len, std::span<std::size_t const> src) {
    len = src.size();
    if (len == dst.size())
      for (std::size_t i = 0; i < len; ++i) dst[i] = src[i];
  }

  /// First barrier + agreement check. Throws comm_error on every rank if the collective cannot
  /// complete; on return every rank is inside the collective and all slots are valid.
  void enter(detail::op_kind op) {
    auto& st = g_->world.status[index_];
    st.op.store(op, std::memory_order_relaxed);
    st.group.store(g_, std::memory_order_relaxed);
    if (!g_->arrive_abortable()) throw stop_error(op);
    std::optional<comm_error> err;
    try {
      err = detail::check_agreement(*g_);  // allocates only to describe an error
    } catch (...) {
      g_->arrive();
      throw;
    }
    if (err) {
      g_->arrive();  // nobody leaves (and reuses its slot) while others still check it
      throw *err;
    }
  }
  /// Last barrier: nobody leaves while another rank still reads or writes its buffers.
  void leave() { g_->arrive(); }

  [[nodiscard]] comm_error stop_error(detail::op_kind op) const {
    detail::world_state const& w = g_->world;
    std::string const where = std::string(detail::op_name(op)) + " on group '" + g_->name + "'";
    auto const broken = w.broken.load(std::memory_order_acquire);
    if (broken == detail::broken_kind::failed)
      return comm_error(w.broken_message + " (rank " + std::to_string(index_) + " was in " + where + ")",
                        comm_error::reason::rank_failed, w.broken_rank, w.first_error);
    // A member that returned before the world broke (or while it is intact) is the cause; one
    // that returned after a deadlock was declared (having caught its comm_error) is not.
    std::size_t const f = g_->first_finished_member();
    if (f != g_->size && (broken == detail::broken_kind::none ||
                          w.status[g_->members[f]].finished.load(std::memory_order_acquire) <= w.broken_finished))
      return comm_error("spmd: " + where + ": " + g_->label(f) +
                            " has finished (returned from its function) and will never join",
                        comm_error::reason::rank_finished, g_->members[f]);
    return comm_error(w.broken_message + " (rank " + std::to_string(index_) + " was in " + where + ")",
                      comm_error::reason::deadlock);
  }

  /// publish() for reduce_scatter_sum and all_gather (the same arguments), then enter().
  template <class T>
  detail::slot const& publish_blocks(detail::op_kind op, std::span<T const> in, std::span<T> out,
                                     std::span<std::size_t const> counts, split_note const& note,
                                     shape_note const& shape, block_rows rows) {
    detail::slot& s = publish(op, detail::elem_of<T>, shape);
    s.note = note;
    s.in = in.data();
    s.in_size = in.size();
    s.out = out.data();
    s.out_size = out.size();
    s.rows = rows.rows;
    set_counts(s.counts, s.counts_len, counts);
    enter(op);
    return s;
  }

  template <class T>
  void all_reduce_impl(std::span<T> data, shape_note const& shape) {
    detail::slot& s = publish(detail::op_kind::all_reduce_sum, detail::elem_of<T>, shape);
    s.in = data.data();
    s.out = data.data();
    s.in_size = s.out_size = data.size();
    enter(detail::op_kind::all_reduce_sum);
    // Rank r sums chunk r over all ranks' buffers (in rank order) and stores the sum into chunk r
    // of every rank's buffer: chunk r of every buffer is touched by rank r only.
    std::size_t const n = g_->size;
    auto const c = detail::chunk_of<T>(data.size(), r_, n);
    if (n > 1 && c.end > c.begin) {
      auto const buf = [slots = g_->slots.data(), b = c.begin](std::size_t k) {
        return static_cast<T*>(slots[k].out) + b;
      };
      detail::sum_to<T>(n, buf, n, buf, c.end - c.begin);
    }
    leave();
  }

  // reduce_scatter and all_gather: every rank reads the other ranks' buffers in place and writes
  // only its own output, so the ranks work on disjoint memory in parallel; each byte of an output
  // is stored once, straight from the sources.

  template <class T>
  void reduce_scatter_impl(std::span<T const> in, std::span<T> out, std::span<std::size_t const> counts,
                           split_note const& note, shape_note const& shape, block_rows rows = {}) {
    detail::slot const& s = publish_blocks(detail::op_kind::reduce_scatter_sum, in, out, counts, note, shape, rows);
    std::size_t const n = g_->size, nrows = s.rows;
    std::size_t const row_len = in.size() / nrows, piece = out.size() / nrows;
    std::size_t const col = detail::prefix_counts(s.counts.data(), r_) / nrows;
    bool const stream = out.size() * sizeof(T) >= detail::stream_min_bytes;
    for (std::size_t row = 0; row < nrows; ++row) {
      // Summed in rank order (as all_reduce does), whichever rank computes the block.
      auto const src = [slots = g_->slots.data(), off = row * row_len + col](std::size_t k) {
        return static_cast<T const*>(slots[k].in) + off;
      };
      auto const dst = [p = out.data() + row * piece](std::size_t) { return p; };
      detail::sum_to<T>(n, src, 1, dst, piece, stream);
    }
    if (stream) detail::stream_fence();
    leave();
  }

  template <class T>
  void all_gather_impl(std::span<T const> in, std::span<T> out, std::span<std::size_t const> counts,
                       split_note const& note, shape_note const& shape, block_rows rows = {}) {
    detail::slot const& s = publish_blocks(detail::op_kind::all_gather, in, out, counts, note, shape, rows);
    std::size_t const n = g_->size, nrows = s.rows;
    std::size_t const row_len = out.size() / nrows;
    bool const stream = out.size() * sizeof(T) >= detail::stream_min_bytes;
    for (std::size_t i = 1; i <= n; ++i) {
      std::size_t const k = (r_ + i) % n;  // own block last; the ranks start on different sources
      std::size_t const piece = s.counts[k] / nrows;
      std::size_t const col = detail::prefix_counts(s.counts.data(), k) / nrows;
      auto const* from = static_cast<T const*>(g_->slots[k].in);
      T* to = out.data() + col;
      if (from == to || piece == 0) continue;  // in place (rows == 1 only)
      for (std::size_t row = 0; row < nrows; ++row)
        detail::copy_bytes(to + row * row_len, from + row * piece, piece * sizeof(T), stream);
    }
    if (stream) detail::stream_fence();
    leave();
  }

  template <class T>
  void all_to_all_impl(std::span<T const> send, std::span<std::size_t const> send_counts, std::span<T> recv,
                       std::span<std::size_t const> recv_counts, split_note const& send_note,
                       split_note const& recv_note, shape_note const& shape) {
    detail::slot& s = publish(detail::op_kind::all_to_all, detail::elem_of<T>, shape);
    s.note = send_note;
    s.recv_note = recv_note;
    s.in = send.data();
    s.in_size = send.size();
    s.out = recv.data();
    s.out_size = recv.size();
    set_counts(s.counts, s.counts_len, send_counts);
    set_counts(s.recv_counts, s.recv_counts_len, recv_counts);
    enter(detail::op_kind::all_to_all);
    std::size_t off = 0;
    for (std::size_t k = 0; k < g_->size; ++k) {
      detail::slot const& from = g_->slots[k];
      std::size_t const src_off = detail::prefix_counts(from.counts.data(), r_);
      detail::copy_elems(recv.data() + off, static_cast<T const*>(from.in) + src_off, s.recv_counts[k]);
      off += s.recv_counts[k];
    }
    leave();
  }

  template <class T>
  void broadcast_impl(std::span<T> data, std::size_t root) {
    detail::slot& s = publish(detail::op_kind::broadcast, detail::elem_of<T>);
    s.in = data.data();
    s.out = data.data();
    s.in_size = s.out_size = data.size();
    s.root = root;
    enter(detail::op_kind::broadcast);
    if (r_ != root) detail::copy_elems(data.data(), static_cast<T const*>(g_->slots[root].in), data.size());
    leave();
  }

  detail::group_state* g_;
  std::size_t r_;      // rank in the group
  std::size_t index_;  // rank in the mesh
};

/// One rank of a running mesh; run() passes it to the user function by reference. Only the
/// thread of this rank may use it.
class rank {
 public:
  rank(rank const&) = delete;
  rank& operator=(rank const&) = delete;

  /// This rank's index in the whole mesh (row-major over the axes in mesh order).
  [[nodiscard]] std::size_t index() const noexcept { return index_; }
  /// Number of ranks in the mesh.
  [[nodiscard]] std::size_t world_size() const noexcept { return w_->world_size; }
  /// This rank's coordinate on `axis` (std::invalid_argument if there is no such axis).
  [[nodiscard]] std::size_t coord(std::string_view axis) const { return w_->coord(index_, axis_of(axis, "coord")); }
  /// The size of `axis` (std::invalid_argument if there is no such axis).
  [[nodiscard]] std::size_t axis_size(std::string_view axis) const {
    return w_->axis_sizes[axis_of(axis, "axis_size")];
  }
  /// The mesh's axis names, in mesh order.
  [[nodiscard]] std::span<std::string const> axis_names() const noexcept { return w_->axis_names; }

  /// The communicator of the ranks that differ from this one only on `axis`; group rank = the
  /// coordinate on `axis`.
  [[nodiscard]] communicator& comm(std::string_view axis) { return *axis_comms_[axis_of(axis, "comm")]; }

  /// The communicator of the ranks that differ from this one only on `axes` (flattened): group
  /// rank = row-major over those axes in MESH order, whatever order they are listed in. Created on
  /// first use and cached.
  [[nodiscard]] communicator& comm(std::initializer_list<std::string_view> axes) {
    return comm(std::span<std::string_view const>(axes.begin(), axes.size()));
  }
  [[nodiscard]] communicator& comm(std::span<std::string_view const> axes) {
    auto const [mask, first] = runtime::detail::axis_set_of(w_->axis_names, axes);
    if (axes.size() == 1) return *axis_comms_[first];
    for (auto& [m, c] : flat_comms_)
      if (m == mask) return *c;
    detail::group_state& g = w_->group_for(mask, index_);
    std::size_t gr = 0;
    for (std::size_t a = 0; a < w_->axis_sizes.size(); ++a)
      if (mask >> a & 1u) gr = gr * w_->axis_sizes[a] + w_->coord(index_, a);
    flat_comms_.emplace_back(mask, std::unique_ptr<communicator>(new communicator(g, gr, index_)));
    return *flat_comms_.back().second;
  }

 private:
  friend void detail::run_mesh(std::vector<std::pair<std::string, std::size_t>> const&, void (*)(void*, rank&), void*);

  rank(detail::world_state& w, std::size_t index) : w_(&w), index_(index) {
    std::size_t const axes = w.axis_sizes.size();
    axis_comms_.reserve(axes);
    for (std::size_t a = 0; a < axes; ++a)
      axis_comms_.emplace_back(new communicator(w.group_for(std::uint64_t{1} << a, index), w.coord(index, a), index));
  }

  [[nodiscard]] std::size_t axis_of(std::string_view axis, char const* fn) const {
    return runtime::detail::axis_index(w_->axis_names, axis, fn);
  }

  detail::world_state* w_;
  std::size_t index_;
  std::vector<std::unique_ptr<communicator>> axis_comms_;
  std::vector<std::pair<std::uint64_t, std::unique_ptr<communicator>>> flat_comms_;
};

static_assert(spmd::communicator<communicator>);
static_assert(spmd::rank_context<rank>);

namespace detail {

/// How long a barrier waiter yields its core before it blocks (SPMD_THREADS_SPIN_US overrides).
inline std::chrono::nanoseconds default_spin() {
  if (char const* e = std::getenv("SPMD_THREADS_SPIN_US")) return std::chrono::microseconds(std::atoi(e));
  return std::chrono::microseconds(50);
}

inline void run_mesh(std::vector<std::pair<std::string, std::size_t>> const& mesh_sizes, void (*call)(void*, rank&),
                     void* fn) {
  auto spec = runtime::detail::checked_mesh(mesh_sizes, "threads::run", std::size_t(-1));
  std::size_t const world = spec.world_size;
  world_state w(std::move(spec.names), std::move(spec.sizes), default_spin());
  std::vector<std::unique_ptr<rank>> ranks;
  ranks.reserve(world);
  for (std::size_t i = 0; i < world; ++i) ranks.emplace_back(new rank(w, i));

  auto const body = [&](std::size_t i) noexcept {
    try {
      call(fn, *ranks[i]);
    } catch (...) {
      w.fail(i, std::current_exception());
      return;
    }
    w.finish(i);
  };

  std::vector<std::thread> threads;
  threads.reserve(world - 1);
  for (std::size_t i = 1; i < world; ++i) {
    try {
      threads.emplace_back(body, i);
    } catch (...) {  // could not start rank i: it fails, so nobody waits for it
      w.fail(i, std::current_exception());
      break;
    }
  }
  body(0);  // rank 0 runs on the calling thread
  for (auto& t : threads) t.join();
  if (w.first_error) std::rethrow_exception(w.first_error);
}

}  // namespace detail

/// Runs fn(rank&) on one thread per rank of the mesh (axis name, size; in mesh order) and returns
/// when all are done. Rank 0 runs on the calling thread.
///
/// If a rank throws, every pending and later collective of every other rank throws comm_error
/// ("spmd: rank 3 failed: ..."), and run() rethrows the first exception after joining all threads.
/// A collective waiting for a rank that has returned throws comm_error ("... has finished");
/// if every rank has returned or waits in a collective that cannot complete, they all throw
/// comm_error (reason::deadlock). Axis sizes must be >= 1, names non-empty, distinct and free of
/// ',' (std::invalid_argument).
template <class F>
  requires std::invocable<F&, rank&>
void run(std::vector<std::pair<std::string, std::size_t>> const& mesh_sizes, F&& fn) {
  using fn_type = std::remove_reference_t<F>;
  detail::run_mesh(
      mesh_sizes, [](void* f, rank& r) { std::invoke(*static_cast<fn_type*>(f), r); },
      const_cast<void*>(static_cast<void const*>(std::addressof(fn))));
}

}  // namespace spmd::threads
