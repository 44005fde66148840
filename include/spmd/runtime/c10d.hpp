// spmd/runtime/c10d.hpp - the c10d runtime: one rank per process, started by torchrun, mpirun or
// scripts/torchrun.sh, with PyTorch's c10d process groups (Gloo, on CPU) as the collectives.
//
//   spmd::dist::run({{"dp", 2}, {"tp", 2}}, [](spmd::dist::rank& r) {  // torchrun.sh -n 4 ./prog
//     std::vector<float> g = ...;
//     r.comm("dp").all_reduce_sum(g);
//   });
//
// The MPI runtime's sibling (<spmd/runtime/mpi.hpp>): dist::rank and dist::communicator model
// spmd::rank_context and spmd::communicator, so every typed collective runs on it. See
// docs/torch.md ("The c10d runtime") and docs/runtime.md:
//  - the processes meet through a c10d store: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT as
//    torchrun sets them (rank 0 serves a TCPStore), or OMPI_COMM_WORLD_RANK/SIZE or
//    PMI_RANK/SIZE under mpirun, or SPMD_DIST_STORE=file:<path> (a FileStore, one machine);
//  - each group (a mesh axis, or several flattened) is a c10d::ProcessGroupGloo over a
//    c10d::PrefixStore; the caller's buffers are wrapped as tensors (at::from_blob, no copy);
//  - a rank whose function throws prints "spmd: rank N failed: <what>", writes that into the
//    store and exits with status 1; every other rank's watchdog thread reads it within ~0.1 s and
//    exits too. A rank that returned while its peers wait for it in a collective is detected
//    exactly (it leaves its per-group collective counts in the store); SPMD_DIST_TIMEOUT bounds
//    everything else;
//  - the ranks' agreement (same collective, counts, shapes, root) is checked only when asked for
//    (options::check_agreement, SPMD_DIST_CHECK=1). Without it, Gloo ends the processes
//    (SIGABRT) when the sizes of a collective differ between ranks.
// Gloo has no reduce_scatter and no uneven all_gather: reduce_scatter_sum is an all_to_all and a
// local sum, an uneven all_gather pads every block to the largest.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
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
#include <spmd/runtime/detail/buffer_checks.hpp>
#include <spmd/runtime/detail/buffer_collectives.hpp>
#include <spmd/runtime/detail/c10d_agreement.hpp>
#include <spmd/runtime/detail/c10d_support.hpp>
#include <spmd/runtime/detail/erased_fn.hpp>
#include <spmd/runtime/detail/fingerprint.hpp>
#include <spmd/runtime/detail/mesh_spec.hpp>
#include <spmd/runtime/detail/process_communicator.hpp>
#include <spmd/runtime/detail/process_rank.hpp>
#include <spmd/runtime/detail/run_options.hpp>
#include <spmd/runtime/detail/split_messages.hpp>

// With CUDA, a ProcessGroupNCCL could serve device tensors the same way (its reduce_scatter and
// uneven all_gather exist); this runtime moves CPU buffers only, so it uses Gloo everywhere.

namespace spmd::dist {

class rank;

/// Run-time options of dist::run. The defaults come from the environment, so that a job can be
/// switched to checked mode without recompiling: `SPMD_DIST_CHECK=1 scripts/torchrun.sh -n 4 ./prog`.
struct options {
  /// Before every collective, check that all ranks of the group agree (same collective and element
  /// type, same counts, equal sizes and shapes, same root, all_to_all counts that pair up); a
  /// disagreement (or a bad argument on any rank) then throws the same comm_error on every rank of
  /// the group. Costs one small Gloo allreduce per collective. Without it, ranks that disagree
  /// about sizes make Gloo end the processes (SIGABRT). Default: SPMD_DIST_CHECK (1/true/yes/on).
  bool check_agreement = runtime::detail::env_flag("SPMD_DIST_CHECK");
  /// If > 0: a collective (or the creation of a group's process group) that has not completed on
  /// this rank after this many seconds ends the job ("spmd: rank N failed: all_reduce_sum on group
  /// 'tp' did not complete within ... s"); Gloo's own timeout is set to twice this. 0, infinity or
  /// more than 1e9 s: no watchdog limit (Gloo's default of 30 min still applies); negative or NaN:
  /// run() throws std::invalid_argument. Default: SPMD_DIST_TIMEOUT (seconds; "inf" = none; a
  /// value that is not a number throws std::invalid_argument here).
  double timeout_seconds = runtime::detail::env_seconds("SPMD_DIST_TIMEOUT");
};

namespace detail {
inline void run_mesh(std::vector<std::pair<std::string, std::size_t>> const& mesh_sizes, void (*call)(void*, rank&),
                     void* fn, options const& opts);
}  // namespace detail

/// The communicator of one group of ranks (one mesh axis, or several flattened) as seen by one
/// rank; wraps a c10d::ProcessGroupGloo. Obtained from rank::comm(); models spmd::communicator.
/// Every collective checks this rank's arguments, then (options::check_agreement) that all ranks
/// agree, then runs Gloo on the caller's buffers. A Gloo error becomes a comm_error.
/// The collectives (runtime::detail::buffer_collectives) are: all_reduce_sum, Gloo allreduce;
/// reduce_scatter_sum (summed in group rank order), an alltoall_base with the counts as split
/// sizes and a local sum, since Gloo has no reduce_scatter; all_gather, Gloo allgather straight
/// into `out` when all counts are equal, else every block padded to the largest (Gloo's
/// allgather takes equal sizes only) and copied out; all_to_all, Gloo alltoall_base with the
/// counts as split sizes; broadcast, Gloo broadcast.
class communicator : public runtime::detail::process_communicator<communicator>,
                     public runtime::detail::buffer_collectives<communicator> {
 public:
  communicator(communicator const&) = delete;
  communicator& operator=(communicator const&) = delete;

  /// The c10d process group (group rank == its rank), for calls of your own.
  [[nodiscard]] ::c10d::ProcessGroupGloo& native() const noexcept { return *g_.pg; }

  /// Returns once every rank of the group has called it (Gloo barrier).
  void barrier() {
    auto const op = detail::op_kind::barrier;
    scope const s(*this, op);
    settle(op, detail::elem_kind::none, 0, 0, std::nullopt, {});
    g_.run(op, "barrier", [&] { return g_.pg->barrier(); });
  }

 private:
  friend class dist::rank;
  friend class runtime::detail::process_communicator<communicator>;
  friend class runtime::detail::buffer_collectives<communicator>;

  communicator(::c10::intrusive_ptr<::c10d::ProcessGroupGloo> pg, std::string name, std::string id,
               std::vector<std::size_t> members, std::size_t group_rank, detail::mesh_state const& m)
      : g_{{}, std::move(pg), members.size(), group_rank, std::move(name), std::move(id), std::move(members), &m, 0},
        ref_{&g_.name, &g_.id, g_.members} {}

  /// Marks this rank as inside its seq-th collective on the group, for the watchdog.
  struct scope : detail::armed {
    scope(communicator& c, detail::op_kind op) noexcept : armed(c.g_.m->dog.get(), op, &c.ref_, c.g_.seq++) {}
  };

  [[nodiscard]] static std::vector<std::int64_t> splits(std::span<std::size_t const> counts) {
    return std::vector<std::int64_t>(counts.begin(), counts.end());
  }

  template <class T>
  void all_reduce_impl(std::span<T> data, shape_note const& shape) {
    auto const op = detail::op_kind::all_reduce_sum;
    scope const s(*this, op);
    settle(op, detail::elem_of<T>, data.size(), 0, std::nullopt, {}, {}, shape);
    std::vector<::at::Tensor> t{detail::wrap<T>(data.data(), data.size())};
    g_.run(op, "allreduce", [&] { return g_.pg->allreduce(t); });
  }

  template <class T>
  void reduce_scatter_impl(std::span<T const> in, std::span<T> out, std::span<std::size_t const> counts,
                           split_note const& note, shape_note const& shape) {
    auto const op = detail::op_kind::reduce_scatter_sum;
    scope const s(*this, op);
    std::optional<std::string> err = counts_error(counts, "counts");
    std::size_t offset = 0, total = 0;
    if (!err) {
      for (std::size_t i = 0; i < counts.size(); ++i) (i < g_.rank ? offset : total) += counts[i];
      total += offset;
      bool const own = out.data() == in.data() + offset;
      err = runtime::detail::block_buffers_error([this] { return g_.label(g_.rank); }, false, in.data(), in.size(),
                                                 out.data(), out.size(), counts[g_.rank], total, own, sizeof(T));
    }
    settle(op, detail::elem_of<T>, checking() ? runtime::detail::hash_counts(counts) : 0, 0, err, counts, note, shape);
    // Block j of every rank's input goes to rank j; this rank then sums the size() blocks it got.
    std::size_t const mine = counts[g_.rank];
    std::vector<T> got(mine * g_.size);
    {
      auto recv = detail::wrap<T>(got.data(), got.size());
      auto send = detail::wrap<T>(in.data(), in.size());
      auto send_splits = splits(counts);
      std::vector<std::int64_t> recv_splits(g_.size, static_cast<std::int64_t>(mine));
      g_.run(op, "alltoall_base", [&] { return g_.pg->alltoall_base(recv, send, recv_splits, send_splits); });
    }
    for (std::size_t k = 0; k < mine; ++k) {
      T sum = got[k];
      for (std::size_t r = 1; r < g_.size; ++r) sum += got[r * mine + k];
      out[k] = sum;
    }
  }

  template <class T>
  void all_gather_impl(std::span<T const> in, std::span<T> out, std::span<std::size_t const> counts,
                       split_note const& note, shape_note const& shape) {
    auto const op = detail::op_kind::all_gather;
    scope const s(*this, op);
    std::optional<std::string> err = counts_error(counts, "counts");
    std::size_t offset = 0, total = 0, widest = 0;
    if (!err) {
      for (std::size_t i = 0; i < counts.size(); ++i) {
        (i < g_.rank ? offset : total) += counts[i];
        widest = std::max(widest, counts[i]);
      }
      total += offset;
      bool const own = in.data() == out.data() + offset;
      err = runtime::detail::block_buffers_error([this] { return g_.label(g_.rank); }, true, out.data(), out.size(),
                                                 in.data(), in.size(), counts[g_.rank], total, own, sizeof(T));
    }
    settle(op, detail::elem_of<T>, checking() ? runtime::detail::hash_counts(counts) : 0, 0, err, counts, note, shape);
    bool const even = std::all_of(counts.begin(), counts.end(), [&](std::size_t c) { return c == widest; });
    std::vector<T> staged;  // uneven: padded blocks
    if (!even) staged.resize(widest * (g_.size + 1));
    std::vector<std::vector<::at::Tensor>> outs(1);
    for (std::size_t r = 0, off = 0; r < g_.size; off += counts[r], ++r)
      outs[0].push_back(even ? detail::wrap<T>(out.data() + off, widest)
                             : detail::wrap<T>(staged.data() + (r + 1) * widest, widest));
    // The input must not alias an output; in place it is copied first (Gloo copies it anyway).
    std::vector<T> own_copy;
    T const* src = in.data();
    if (even && !in.empty() && in.data() == out.data() + offset) {
      own_copy.assign(in.begin(), in.end());
      src = own_copy.data();
    } else if (!even) {
      std::copy(in.begin(), in.end(), staged.begin());
      src = staged.data();
    }
    std::vector<::at::Tensor> ins{detail::wrap<T>(src, widest)};
    g_.run(op, "allgather", [&] { return g_.pg->allgather(outs, ins); });
    if (!even)
      for (std::size_t r = 0, off = 0; r < g_.size; off += counts[r], ++r)
        std::copy_n(staged.data() + (r + 1) * widest, counts[r], out.data() + off);
  }

  template <class T>
  void all_to_all_impl(std::span<T const> send, std::span<std::size_t const> send_counts, std::span<T> recv,
                       std::span<std::size_t const> recv_counts, split_note const& send_note,
                       split_note const& recv_note, shape_note const& shape) {
    auto const op = detail::op_kind::all_to_all;
    scope const s(*this, op);
    std::optional<std::string> err = counts_error(send_counts, "send_counts");
    if (!err) err = counts_error(recv_counts, "recv_counts");
    if (!err) {
      std::size_t send_total = 0, recv_total = 0;
      for (auto c : send_counts) send_total += c;
      for (auto c : recv_counts) recv_total += c;
      if (send.size() != send_total)
        err = g_.label(g_.rank) + " passed a send buffer of " + std::to_string(send.size()) +
              " elements, send_counts sum to " + std::to_string(send_total);
      else if (recv.size() != recv_total)
        err = g_.label(g_.rank) + " passed a recv buffer of " + std::to_string(recv.size()) +
              " elements, recv_counts sum to " + std::to_string(recv_total);
      else if (runtime::detail::overlaps(send.data(), send.size() * sizeof(T), recv.data(), recv.size() * sizeof(T)))
        err = g_.label(g_.rank) + "'s send and recv buffers overlap (all_to_all cannot work in place)";
    }
    settle(op, detail::elem_of<T>, 0, 0, err, {}, {}, shape);
    if (checking()) agree_all_to_all(send_counts, recv_counts, send_note, recv_note);
    auto r = detail::wrap<T>(recv.data(), recv.size());
    auto sd = detail::wrap<T>(send.data(), send.size());
    auto send_splits = splits(send_counts), recv_splits = splits(recv_counts);
    g_.run(op, "alltoall_base", [&] { return g_.pg->alltoall_base(r, sd, recv_splits, send_splits); });
  }

  template <class T>
  void broadcast_impl(std::span<T> data, std::size_t root) {
    auto const op = detail::op_kind::broadcast;
    scope const s(*this, op);
    std::optional<std::string> err;
    if (root >= g_.size)
      err = "root " + std::to_string(root) + " is not a rank of the group (size " + std::to_string(g_.size) + ")";
    settle(op, detail::elem_of<T>, root, data.size(), err, {});
    std::vector<::at::Tensor> t{detail::wrap<T>(data.data(), data.size())};
    ::c10d::BroadcastOptions o;
    o.rootRank = static_cast<std::int64_t>(root);
    g_.run(op, "broadcast", [&] { return g_.pg->broadcast(t, o); });
  }

  detail::group g_;
  detail::group_ref ref_;  // what the watchdog reads
};

/// One rank of a running mesh (this process); run() passes it to the user function by reference.
/// Same members as spmd::threads::rank and spmd::mpi::rank. Use it from the thread that called
/// run().
class rank : public runtime::detail::process_rank<rank, communicator> {
 public:
  rank(rank const&) = delete;
  rank& operator=(rank const&) = delete;
  ~rank() { free_groups(); }  // the process groups before the mesh state they point to

 private:
  friend class runtime::detail::process_rank<rank, communicator>;
  friend void detail::run_mesh(std::vector<std::pair<std::string, std::size_t>> const&, void (*)(void*, rank&), void*,
                               options const&);

  /// Creates the process groups of the mesh's axes, in mesh order on every rank.
  explicit rank(detail::mesh_state&& m) : m_(std::move(m)) { make_axis_groups(); }

  /// "<group id> <collectives entered>" per line, for every group of this rank: what the other
  /// ranks' watchdogs read once this rank has returned.
  [[nodiscard]] std::string counts_text() const {
    std::string s;
    for (auto const& c : axis_comms_) s += c->g_.id + " " + std::to_string(c->g_.seq) + "\n";
    for (auto const& [m, c] : flat_comms_) s += c->g_.id + " " + std::to_string(c->g_.seq) + "\n";
    return s;
  }

  /// The group of the ranks that differ from this one only on the axes in `mask`: a Gloo process
  /// group over the store under the group's own prefix (its name and lowest member), collective
  /// over the group's ranks only.
  std::unique_ptr<communicator> make_group(std::uint64_t mask) {
    auto g = runtime::detail::members_of(m_, mask);
    std::string const& name = g.name;
    std::vector<std::size_t>& members = g.members;
    std::size_t const base = g.base, group_rank = g.group_rank;
    std::string const id = "spmd/" + std::to_string(m_.run) + "/" + name + "@" + std::to_string(base) + "/";
    detail::group_ref const ref{&name, &id, members};
    // A rank whose peers never come (they create other groups first, or returned) is ended by the
    // watchdog.
    detail::armed const watch(m_.dog.get(), detail::op_kind::group_creation, &ref, 0);
    auto opts = ::c10d::ProcessGroupGloo::Options::create(m_.gloo_timeout);
    opts->devices.push_back(m_.j->device);
    ::c10::intrusive_ptr<::c10d::ProcessGroupGloo> pg;
    try {
      pg = ::c10::make_intrusive<::c10d::ProcessGroupGloo>(::c10::make_intrusive<::c10d::PrefixStore>(id, m_.j->store),
                                                           static_cast<int>(group_rank),
                                                           static_cast<int>(members.size()), opts);
    } catch (std::exception const& e) {
      throw comm_error("spmd: rank::comm(\"" + name +
                           "\"): creating the Gloo process group failed: " + detail::short_what(e),
                       comm_error::reason::rank_failed);
    }
    return std::unique_ptr<communicator>(new communicator(std::move(pg), name, id, std::move(members), group_rank, m_));
  }

  detail::mesh_state m_;
};

static_assert(spmd::communicator<communicator>);
static_assert(spmd::rank_context<rank>);

namespace detail {

/// The store's counter `key` once it reaches `target`; polls with a growing pause. `limit`
/// (seconds, 0: none): after it, nothing (the caller says what did not happen).
[[nodiscard]] inline bool await_count(::c10d::Store& store, std::string const& key, std::int64_t target, double limit) {
  auto const start = std::chrono::steady_clock::now();
  auto pause = std::chrono::microseconds(200);
  for (;;) {
    if (store.add(key, 0) >= target) return true;
    if (limit > 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > limit)
      return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20000));
  }
}

/// The job of this process: on the first call, reads the launch environment and opens the store.
inline job& the_job(double timeout) {
  static job* j = nullptr;  // kept until exit: rank 0 may serve the TCPStore the others still use
  if (j != nullptr) return *j;
  auto l = read_launch();
  auto const store_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(1000 * (timeout > 0 ? std::max(2 * timeout, 60.0) : 300.0)));
  auto made = std::make_unique<job>();
  try {
    switch (l.kind) {
      case launch::store_kind::single:
        made->store = ::c10::make_intrusive<::c10d::HashStore>();
        made->watch = made->store;
        break;
      case launch::store_kind::file:
        made->store = ::c10::make_intrusive<::c10d::FileStore>(l.path, static_cast<int>(l.world));
        made->watch = ::c10::make_intrusive<::c10d::FileStore>(l.path, static_cast<int>(l.world));
        break;
      case launch::store_kind::tcp: {
        ::c10d::TCPStoreOptions o;
        o.port = l.port;
        o.isServer = l.rank == 0;
        o.numWorkers = l.world;
        o.waitWorkers = false;
        o.timeout = store_timeout;
        made->store = ::c10::make_intrusive<::c10d::TCPStore>(l.host, o);
        o.isServer = false;
        made->watch = ::c10::make_intrusive<::c10d::TCPStore>(l.host, o);
        break;
      }
    }
    made->store->setTimeout(store_timeout);
    made->watch->setTimeout(store_timeout);
    if (char const* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname != nullptr && *ifname != '\0')
      made->device = ::c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
    else
      made->device = ::c10d::ProcessGroupGloo::createDefaultDevice();
  } catch (std::exception const& e) {
    std::string where = l.kind == launch::store_kind::file ? "the FileStore at '" + l.path + "'"
                        : l.kind == launch::store_kind::tcp
                            ? "the TCPStore at " + l.host + ":" + std::to_string(l.port) +
                                  (l.rank == 0 ? " (served by this rank, 0)" : "")
                            : "the in-memory store";
    throw std::runtime_error(
        "spmd: dist::run: rank " + std::to_string(l.rank) + " could not open " + where + ": " + short_what(e) +
        (l.kind == launch::store_kind::tcp ? "; is MASTER_PORT free and MASTER_ADDR reachable?" : ""));
  }
  // A store that an earlier job used holds its keys (Gloo's addresses among them): every rank of a
  // new job counts itself in, so a count above the world size means the store is not new.
  if (l.world > 1 && made->store->add("spmd/joined", 1) > static_cast<std::int64_t>(l.world))
    throw std::invalid_argument(
        "spmd: dist::run: the store " +
        (l.kind == launch::store_kind::file ? "file '" + l.path + "'" : l.host + ":" + std::to_string(l.port)) +
        " was used by an earlier job; every job needs a new one (delete the file, or give SPMD_DIST_STORE a new path; "
        "scripts/torchrun.sh makes one per job)");
  made->where = std::move(l);
  j = made.release();
  return *j;
}

/// Every rank compares its mesh with rank 0's through the store; if any differs, every rank throws
/// the same std::invalid_argument naming rank 0's mesh and a mesh that differs. Without this,
/// ranks with meshes in different orders number the ranks of flattened groups differently.
inline void check_same_mesh(job& j, std::size_t run, std::size_t index, std::string const& text) {
  std::string const pre = "spmd/" + std::to_string(run) + "/mesh/";
  auto const bytes = [](std::string const& s) { return std::vector<std::uint8_t>(s.begin(), s.end()); };
  if (index == 0) j.store->set(pre + "0", bytes(text));
  auto const v = j.store->get(pre + "0");  // waits for rank 0
  std::string const first(v.begin(), v.end());
  if (first != text)
    j.store->set(pre + "differs", bytes("rank 0 " + first + ", rank " + std::to_string(index) + " " + text));
  (void)j.store->add(pre + "checked", 1);
  (void)await_count(*j.store, pre + "checked", static_cast<std::int64_t>(j.where.world), 0);
  if (j.store->check({pre + "differs"})) {
    auto const d = j.store->get(pre + "differs");
    throw std::invalid_argument(
        "spmd: dist::run: the ranks were given different meshes: " + std::string(d.begin(), d.end()) +
        "; every rank must pass the same mesh (same axes in the same order, same sizes)");
  }
}

inline void run_mesh(std::vector<std::pair<std::string, std::size_t>> const& mesh_sizes, void (*call)(void*, rank&),
                     void* fn, options const& opts) {
  auto spec = runtime::detail::checked_mesh(mesh_sizes, "dist::run", std::size_t{1} << 30);
  double const timeout = runtime::detail::effective_timeout(opts.timeout_seconds, "dist::run");
  job& j = the_job(timeout);
  std::size_t const world = j.where.world, index = j.where.rank;
  if (spec.world_size != world)
    throw std::invalid_argument(
        "spmd: dist::run: the mesh " + spec.text + " has " + std::to_string(spec.world_size) + " ranks but " +
        (j.where.source.empty() ? std::string("no launcher started this process (one process)")
                                : j.where.source + " say " + std::to_string(world) + " processes") +
        "; start the program with scripts/torchrun.sh -n " + std::to_string(spec.world_size) +
        " (or torchrun --nproc-per-node " + std::to_string(spec.world_size) +
        "), or choose axis sizes whose product is " + std::to_string(world));
  std::size_t const run = j.runs++;

  mesh_state m;
  m.check_agreement = opts.check_agreement;
  m.place(std::move(spec), index);  // moves the names and sizes; spec.text stays
  m.run = run;
  m.j = &j;
  // Gloo's own timeout backs up the watchdog's, which speaks first with a clearer message.
  m.gloo_timeout = timeout > 0 ? std::chrono::milliseconds(static_cast<std::int64_t>(2000 * timeout) + 1000)
                               : ::kProcessGroupDefaultTimeout;
  if (world > 1) m.dog = std::make_unique<watchdog>(j, index, run, timeout);
  {
    armed const watch(m.dog.get(), op_kind::mesh_check, nullptr, 0);
    check_same_mesh(j, run, index, spec.text);
  }

  std::unique_ptr<rank> r;
  try {
    r.reset(new rank(std::move(m)));
  } catch (std::exception const& e) {
    abort_job(&j, index, e.what());
  }
  try {
    call(fn, *r);
  } catch (std::exception const& e) {
    abort_job(&j, index, e.what());
  } catch (...) {
    abort_job(&j, index, "an exception not derived from std::exception");
  }
  if (world == 1) return;
  // This rank has returned: it leaves its collective counts (for the watchdogs of ranks that wait
  // for it), then waits for every rank before the process groups are freed.
  std::string const pre = "spmd/" + std::to_string(run) + "/";
  try {
    std::string const counts = r->counts_text();
    j.store->set(watchdog::finished_key(run, index), std::vector<std::uint8_t>(counts.begin(), counts.end()));
    (void)j.store->add(pre + "done", 1);
    if (!await_count(*j.store, pre + "done", static_cast<std::int64_t>(world), 2 * timeout)) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%g", 2 * timeout);
      abort_job(&j, index,
                std::string("returned from its function, but the other ranks had not returned from theirs ") + seconds +
                    " s later (twice SPMD_DIST_TIMEOUT): a rank waits in a collective this rank never joined");
    }
  } catch (std::exception const& e) {
    abort_job(&j, index, "waiting for the other ranks to return: " + short_what(e));
  }
  r->m_.dog.reset();  // first: it may be reading a group's members
  r.reset();
  // Rank 0 serves the TCPStore: it stays until every rank is done with the store.
  if (j.where.kind == launch::store_kind::tcp) {
    try {
      (void)j.store->add(pre + "left", 1);
      if (j.serves_store()) (void)await_count(*j.store, pre + "left", static_cast<std::int64_t>(world), 60);
    } catch (std::exception const&) {
      // Rank 0 has gone: this rank was done with the store anyway.
    }
  }
}

}  // namespace detail

/// This process's rank as its launcher set it (RANK, else OMPI_COMM_WORLD_RANK, else PMI_RANK; 0
/// without a launcher): the index run() gives it. For work outside run(), e.g. printing on rank 0
/// only. std::invalid_argument if the variables are inconsistent (as run() would throw).
[[nodiscard]] inline std::size_t launch_rank() {
  return detail::read_ranks().rank;
}
/// The number of processes the launcher started (WORLD_SIZE, OMPI_COMM_WORLD_SIZE or PMI_SIZE; 1
/// without a launcher): the product of the mesh sizes run() needs.
[[nodiscard]] inline std::size_t launch_world_size() {
  return detail::read_ranks().world;
}

/// Runs fn(rank&) on this process as rank RANK of the mesh (axis name, size; in mesh order), and
/// returns when fn has returned on every rank. Start the program with scripts/torchrun.sh -n
/// <product of the sizes> (or torchrun, or mpirun; see docs/torch.md); a different world size, or
/// meshes that differ between the ranks, throw std::invalid_argument on every rank. Without a
/// launcher, a mesh of one rank runs in this process. run() may be called several times (every
/// rank the same number of times); the store and the Gloo device stay open until the process exits.
///
/// If fn throws on a rank, that rank prints "spmd: rank N failed: <what()>" to stderr, writes it
/// into the store and exits with status 1; every other rank prints "spmd: rank M stopped: rank N
/// failed: <what>" and exits with status 1 too. Axis sizes must be >= 1, names non-empty, distinct
/// and free of ',' (std::invalid_argument).
template <class F>
  requires std::invocable<F&, rank&>
void run(std::vector<std::pair<std::string, std::size_t>> const& mesh_sizes, F&& fn, options const& opts = options{}) {
  detail::run_mesh(mesh_sizes, &runtime::detail::call_erased<std::remove_reference_t<F>, rank>,
                   runtime::detail::erased(fn), opts);
}

}  // namespace spmd::dist
