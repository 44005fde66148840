// spmd/runtime/detail/c10d_support.hpp - what <spmd/runtime/c10d.hpp> builds on: the c10d
// headers, where the job's processes meet (the environment torchrun, mpirun or
// scripts/torchrun.sh set, and the store it names), Gloo errors turned into spmd::comm_error,
// and the watchdog thread that ends this process when another rank failed, when a peer of the
// current collective has returned without joining it, or when the collective exceeds the timeout.
// Private to <spmd/runtime/c10d.hpp>.
#pragma once

#include <ATen/Functions.h>
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/HashStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <spmd/runtime/comm_error.hpp>
#include <spmd/runtime/detail/armed.hpp>
#include <spmd/runtime/detail/collective_kind.hpp>
#include <spmd/runtime/detail/run_options.hpp>
#include <spmd/runtime/detail/watchdog_thread.hpp>

namespace spmd::dist::detail {

using runtime::detail::elem_kind;
using runtime::detail::elem_name;
using runtime::detail::elem_of;
using runtime::detail::op_kind;
using runtime::detail::op_name;

/// c10 errors append a backtrace to their message ("\nException raised from ..."): the message.
[[nodiscard]] inline std::string short_what(std::exception const& e) {
  std::string s = e.what();
  if (auto const p = s.find("\nException raised from"); p != std::string::npos) s.resize(p);
  return s;
}

/// Where the processes of the job meet: their number, this one's rank, and the store.
struct launch {
  enum class store_kind { single, file, tcp };
  std::size_t rank = 0;
  std::size_t world = 1;
  std::string source;  // which variables gave rank and world size, for messages
  store_kind kind = store_kind::single;
  std::string path;  // file
  std::string host;  // tcp
  std::uint16_t port = 0;
};

/// A non-negative integer from the environment variable `name` (nothing if unset).
[[nodiscard]] inline std::optional<std::size_t> env_count(char const* name, std::size_t max) {
  char const* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  char* end = nullptr;
  unsigned long long const n = std::strtoull(v, &end, 10);
  if (*end != '\0' || *v == '-' || n > max)
    throw std::invalid_argument(
        "spmd: dist::run: " + std::string(name) + "='" + v +
        "' is not a valid number; the launcher (torchrun, mpirun, scripts/torchrun.sh) sets it");
  return static_cast<std::size_t>(n);
}

/// This process's rank and the world size as the environment gives them: RANK/WORLD_SIZE (torchrun, scripts/torchrun.sh),
/// else OMPI_COMM_WORLD_RANK/SIZE (Open MPI's mpirun), else PMI_RANK/PMI_SIZE (MPICH, Slurm),
/// else one process.
[[nodiscard]] inline launch read_ranks() {
  launch l;
  constexpr char const* pairs[][2] = {{"RANK", "WORLD_SIZE"},
                                      {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
                                      {"PMI_RANK", "PMI_SIZE"}};
  for (auto const& [r, w] : pairs) {
    auto const rank = env_count(r, 1u << 30), world = env_count(w, 1u << 30);
    if (!rank && !world) continue;
    if (!rank || !world)
      throw std::invalid_argument(std::string("spmd: dist::run: ") + (rank ? r : w) + " is set but " + (rank ? w : r) +
                                  " is not; set both (torchrun and scripts/torchrun.sh do)");
    if (*world == 0 || *rank >= *world)
      throw std::invalid_argument(std::string("spmd: dist::run: ") + r + "=" + std::to_string(*rank) + " with " + w +
                                  "=" + std::to_string(*world) + ": the rank must be below the world size");
    l.rank = *rank;
    l.world = *world;
    l.source = std::string(r) + "/" + w;
    break;
  }
  return l;
}

/// read_ranks(), and the store: SPMD_DIST_STORE=file:<path>, else MASTER_ADDR/MASTER_PORT
/// (TCPStore, served by rank 0), else (one process only) an in-memory store.
[[nodiscard]] inline launch read_launch() {
  launch l = read_ranks();
  if (char const* s = std::getenv("SPMD_DIST_STORE"); s != nullptr && *s != '\0') {
    std::string_view const v(s);
    if (v.substr(0, 5) != "file:" || v.size() == 5)
      throw std::invalid_argument("spmd: dist::run: SPMD_DIST_STORE='" + std::string(v) +
                                  "' is not file:<path>; use SPMD_DIST_STORE=file:/tmp/job42/store (a file no "
                                  "earlier job used), or unset it and set MASTER_ADDR/MASTER_PORT");
    l.kind = launch::store_kind::file;
    l.path = std::string(v.substr(5));
    return l;
  }
  char const* addr = std::getenv("MASTER_ADDR");
  char const* port = std::getenv("MASTER_PORT");
  if (addr != nullptr && *addr != '\0' && port != nullptr && *port != '\0') {
    l.kind = launch::store_kind::tcp;
    l.host = addr;
    auto const p = env_count("MASTER_PORT", 65535);
    if (!p || *p == 0) throw std::invalid_argument("spmd: dist::run: MASTER_PORT=0; choose a free port");
    l.port = static_cast<std::uint16_t>(*p);
    return l;
  }
  if (l.world > 1)
    throw std::invalid_argument("spmd: dist::run: " + l.source + " say " + std::to_string(l.world) +
                                " processes but no store is given: set MASTER_ADDR and MASTER_PORT (rank 0 serves a "
                                "TCPStore there; torchrun does this), or SPMD_DIST_STORE=file:<new file> on one "
                                "machine; scripts/torchrun.sh -n N sets them");
  return l;
}

/// The job as this process sees it: created by the first dist::run, kept until the process exits
/// (rank 0 may serve the TCPStore, which the other ranks use until their last run returns).
struct job {
  launch where;
  ::c10::intrusive_ptr<::c10d::Store> store;  // the main thread's connection
  ::c10::intrusive_ptr<::c10d::Store> watch;  // the watchdog's own connection (TCPStore is not thread-safe)
  std::shared_ptr<::gloo::transport::Device> device;
  std::size_t runs = 0;               // dist::run calls so far: the prefix of every key of a run
  std::atomic<bool> aborting{false};  // this process is ending the job: its watchdog keeps quiet
  [[nodiscard]] bool serves_store() const noexcept { return where.kind == launch::store_kind::tcp && where.rank == 0; }
};

inline constexpr char const* abort_key = "spmd/abort";

/// Prints "spmd: rank N failed: <what>", tells the other ranks through the store (their watchdogs
/// end them) and exits with status 1. If another rank failed first, says so instead: this rank's
/// error is then most likely a consequence (a closed connection).
[[noreturn]] inline void abort_job(job* j, std::size_t index, std::string const& what) noexcept {
  if (j != nullptr) j->aborting.store(true);
  std::string first;
  try {
    if (j != nullptr && j->where.world > 1) {
      if (j->store->check({abort_key})) {
        auto const v = j->store->get(abort_key);
        first.assign(v.begin(), v.end());
      } else {
        std::string const msg = "rank " + std::to_string(index) + " failed: " + what;
        j->store->set(abort_key, std::vector<std::uint8_t>(msg.begin(), msg.end()));
        (void)j->store->check({abort_key});  // a round trip: the store has the key before we exit
      }
    }
  } catch (...) {
    // The store is gone (rank 0, which serves it, has ended): nothing more to tell.
  }
  if (first.empty())
    std::fprintf(stderr, "spmd: rank %zu failed: %s\n", index, what.c_str());
  else
    std::fprintf(stderr, "spmd: rank %zu stopped: %s (here: %s)\n", index, first.c_str(), what.c_str());
  std::fflush(stderr);
  // The TCPStore lives in rank 0's process: give the others' watchdogs time to read the message.
  if (j != nullptr && j->serves_store()) std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  std::_Exit(1);
}

/// What the watchdog knows of the group of the collective in progress.
struct group_ref {
  std::string const* name;               // "tp", "dp,tp"
  std::string const* id;                 // its key prefix in the store
  std::span<std::size_t const> members;  // mesh index of each group rank
};

/// A thread that ends this process (exit status 1, after printing why) when
///  - another rank failed (it wrote the abort key into the store);
///  - a peer of the collective in progress has returned from its function without joining it
///    (it left its per-group collective counts in the store: exact, no guessing by time);
///  - with a limit: the collective has not completed after `limit` seconds.
/// begin()/end() cost an uncontended lock and a clock read.
class watchdog {
 public:
  /// `limit_seconds`: 0 (none), or > 0 and at most max_timeout_seconds.
  watchdog(job& j, std::size_t index, std::size_t run, double limit_seconds)
      : j_(j),
        index_(index),
        run_(run),
        limit_(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(limit_seconds))),
        thread_(limit_.count() > 0 ? std::min<std::chrono::nanoseconds>(std::chrono::milliseconds(100),
                                                                        limit_ / 4 + std::chrono::nanoseconds(1))
                                   : std::chrono::nanoseconds(std::chrono::milliseconds(100)),
                [this] { tick(); }) {}
  watchdog(watchdog const&) = delete;
  watchdog& operator=(watchdog const&) = delete;

  /// This rank enters `op`, its `seq`-th collective on group `g` (null: no group to watch).
  /// `*g` must stay valid until end(). An uncontended lock: nothing next to a Gloo collective.
  void begin(op_kind op, group_ref const* g, std::uint64_t seq) noexcept {
    std::lock_guard<std::mutex> lock(state_m_);
    op_ = op;
    group_ = g;
    seq_ = seq;
    start_ = now();
  }
  void end() noexcept {
    std::lock_guard<std::mutex> lock(state_m_);
    start_ = 0;
  }

  /// The key under which rank `index` leaves its per-group collective counts when it returns.
  [[nodiscard]] static std::string finished_key(std::size_t run, std::size_t index) {
    return "spmd/" + std::to_string(run) + "/finished/" + std::to_string(index);
  }

 private:
  static std::int64_t now() noexcept { return runtime::detail::watch_now(); }

  [[noreturn]] void fail(std::string const& what) noexcept {
    j_.aborting.store(true);
    try {
      if (!j_.watch->check({abort_key})) {
        std::string const msg = "rank " + std::to_string(index_) + " failed: " + what;
        j_.watch->set(abort_key, std::vector<std::uint8_t>(msg.begin(), msg.end()));
        (void)j_.watch->check({abort_key});
      }
    } catch (...) {
    }
    std::fprintf(stderr, "spmd: rank %zu failed: %s\n", index_, what.c_str());
    std::fflush(stderr);
    if (j_.serves_store()) std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    std::_Exit(1);
  }

  /// Whether group rank `s`'s process has returned without joining collective `seq` (or, for the
  /// group's creation, without creating it).
  [[nodiscard]] bool never_joins(std::string const& id, std::size_t member, op_kind op, std::uint64_t seq) {
    std::string const key = finished_key(run_, member);
    if (!j_.watch->check({key})) return false;
    auto const v = j_.watch->get(key);
    std::string const text(v.begin(), v.end());  // lines "<group id> <count>"
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t const eol = std::min(text.find('\n', pos), text.size());
      std::string_view const line(text.data() + pos, eol - pos);
      std::size_t const sp = line.rfind(' ');
      if (sp != std::string_view::npos && line.substr(0, sp) == id)
        return op != op_kind::group_creation &&
               std::strtoull(std::string(line.substr(sp + 1)).c_str(), nullptr, 10) <= seq;
      pos = eol + 1;
    }
    return true;  // it never created the group
  }

  void tick() {
    if (j_.aborting.load()) return;  // the main thread is ending the job and says why
    try {
      if (j_.watch->check({abort_key})) {
        auto const v = j_.watch->get(abort_key);
        std::fprintf(stderr, "spmd: rank %zu stopped: %s\n", index_, std::string(v.begin(), v.end()).c_str());
        std::fflush(stderr);
        std::_Exit(1);
      }
    } catch (std::exception const& e) {
      std::fprintf(stderr, "spmd: rank %zu stopped: lost the store (%s): the rank that serves it (rank 0) has ended\n",
                   index_, short_what(e).c_str());
      std::fflush(stderr);
      std::_Exit(1);
    }
    // A copy of what the main thread is in: the group it names may be gone once end() returns.
    op_kind op = op_kind::none;
    std::uint64_t seq = 0;
    std::int64_t t = 0;
    bool has_group = false;
    std::string name = "the whole mesh", id;
    std::vector<std::size_t> members;
    {
      std::lock_guard<std::mutex> state(state_m_);
      t = start_;
      if (t == 0) return;
      op = op_;
      seq = seq_;
      if (group_ != nullptr) {
        has_group = true;
        name = *group_->name;
        id = *group_->id;
        members.assign(group_->members.begin(), group_->members.end());
      }
    }
    if (limit_.count() > 0 && now() - t > limit_.count())
      fail(runtime::detail::overdue_text(op, name, limit_, "SPMD_DIST_TIMEOUT"));
    // Only a collective that waits for a while is worth the store round trips.
    if (!has_group || now() - t < std::chrono::nanoseconds(std::chrono::milliseconds(200)).count()) return;
    try {
      for (std::size_t s = 0; s < members.size(); ++s)
        if (members[s] != index_ && never_joins(id, members[s], op, seq)) {
          // The same collective still waiting (not a later one that began meanwhile)?
          {
            std::lock_guard<std::mutex> state(state_m_);
            if (start_ != t) break;
          }
          fail(std::string(op_name(op)) + " on group '" + name + "' cannot complete: rank " + std::to_string(s) +
               " of the group (world rank " + std::to_string(members[s]) +
               ") has returned from its function without joining it");
        }
    } catch (std::exception const&) {
      // The store is gone: the next poll says so.
    }
  }

  job& j_;
  std::size_t index_;
  std::size_t run_;
  std::chrono::nanoseconds limit_;
  std::mutex state_m_;      // guards the four below
  std::int64_t start_ = 0;  // 0: not in a collective
  op_kind op_ = op_kind::none;
  group_ref const* group_ = nullptr;
  std::uint64_t seq_ = 0;
  runtime::detail::polling_thread thread_;  // last: stops before the above are destroyed
};

/// Marks this rank as inside a collective for the watchdog, if there is one.
using armed = runtime::detail::armed<watchdog>;

}  // namespace spmd::dist::detail
