// The threads runtime under faults: a rank that throws (before a collective, or while the others
// already wait in one), ranks that disagree about sizes, counts, roots or the operation, a rank
// that returns while others wait for it, and ranks that wait for each other in different groups.
// Every case must end with comm_error on the right ranks, never a hang: each run is bounded, and
// an atomic counter records how many ranks saw comm_error.
//
// Catch2 assertions are not thread-safe, so ranks only record; the test thread asserts.
#include <spmd/runtime/threads.hpp>

#include <catch2/catch.hpp>

#include "../common/run_bounded.hpp"
#include "../common/scoped_env.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using spmd::comm_error;
using spmd::threads::rank;
using spmd_tests::run_bounded;
using spmd_tests::what_of;

namespace {

/// What the ranks saw: how many caught comm_error, and each one's what()/reason/rank.
struct seen {
  std::atomic<int> errors{0};
  std::mutex m;
  std::vector<std::string> messages;
  std::vector<comm_error::reason> reasons;
  std::vector<std::optional<std::size_t>> ranks;
  std::vector<bool> has_cause;

  void record(comm_error const& e) {
    ++errors;
    std::lock_guard<std::mutex> lk(m);
    messages.emplace_back(e.what());
    reasons.push_back(e.why());
    ranks.push_back(e.rank());
    has_cause.push_back(e.cause() != nullptr);
  }
  /// Runs f(); records and swallows a comm_error.
  template <class F>
  void guard(F&& f) {
    try {
      f();
    } catch (comm_error const& e) {
      record(e);
    }
  }
};

bool contains(std::string const& s, std::string const& part) {
  return s.find(part) != std::string::npos;
}

using spmd_tests::scoped_env;

template <class E>
bool rethrows(std::exception_ptr const& p) {
  if (!p) return false;
  try {
    std::rethrow_exception(p);
  } catch (E const&) {
    return true;
  } catch (...) {
  }
  return false;
}

/// Checks that every recorded comm_error has `reason`, names rank `who` and contains `text`.
void check_all(seen& s, comm_error::reason reason, std::optional<std::size_t> who, std::string const& text) {
  for (std::size_t i = 0; i < s.messages.size(); ++i) {
    INFO(s.messages[i]);
    CHECK(s.reasons[i] == reason);
    CHECK(s.ranks[i] == who);
    CHECK(contains(s.messages[i], text));
  }
}

}  // namespace

TEST_CASE("threads faults: a rank throws before a collective", "[threads][faults]") {
  seen s;
  auto const ex = run_bounded({{"x", 4}}, [&](rank& r) {
    if (r.index() == 2) throw std::logic_error("boom");
    std::vector<float> v(100, 1.0f);
    s.guard([&] { r.comm("x").all_reduce_sum(v); });
    // Later collectives fail too, on any group.
    s.guard([&] { r.comm("x").barrier(); });
  });
  CHECK(rethrows<std::logic_error>(ex));
  CHECK(what_of(ex) == "boom");
  CHECK(s.errors == 6);
  check_all(s, comm_error::reason::rank_failed, 2, "spmd: rank 2 failed: boom");
  for (bool c : s.has_cause) CHECK(c);
}

TEST_CASE("threads faults: a rank throws while the others wait inside a collective", "[threads][faults]") {
  seen s;
  auto const ex = run_bounded({{"dp", 2}, {"tp", 2}}, [&](rank& r) {
    if (r.index() == 3) {
      // Not a timing assumption: the test passes whether or not the others are already blocked.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      throw std::runtime_error("late failure");
    }
    std::vector<double> v(5000, 1.0);
    s.guard([&] { r.comm({"dp", "tp"}).all_reduce_sum(v); });
  });
  CHECK(rethrows<std::runtime_error>(ex));
  CHECK(what_of(ex) == "late failure");
  CHECK(s.errors == 3);
  check_all(s, comm_error::reason::rank_failed, 3, "spmd: rank 3 failed: late failure");
}

TEST_CASE("threads faults: a failure reaches ranks in other groups", "[threads][faults]") {
  // Rank 0 fails; ranks 2 and 3 share no tp group with it, yet their later collectives fail.
  seen s;
  auto const ex = run_bounded({{"dp", 2}, {"tp", 2}}, [&](rank& r) {
    if (r.index() == 0) throw std::out_of_range("rank zero");
    if (r.index() == 1) {
      s.guard([&] { r.comm("tp").barrier(); });  // waits for rank 0
      return;
    }
    std::vector<float> v(10, 1.0f);
    s.guard([&] {
      for (;;) r.comm("tp").all_reduce_sum(v);  // until the failure shows
    });
  });
  CHECK(rethrows<std::out_of_range>(ex));
  CHECK(s.errors == 3);
  check_all(s, comm_error::reason::rank_failed, 0, "spmd: rank 0 failed: rank zero");
}

TEST_CASE("threads faults: an exception not derived from std::exception", "[threads][faults]") {
  seen s;
  auto const ex = run_bounded({{"x", 2}}, [&](rank& r) {
    if (r.index() == 0) throw 42;
    s.guard([&] { r.comm("x").barrier(); });
  });
  CHECK(rethrows<int>(ex));
  CHECK(s.errors == 1);
  check_all(s, comm_error::reason::rank_failed, 0, "unknown exception");
}

TEST_CASE("threads faults: all_reduce with different sizes", "[threads][faults]") {
  seen s;
  std::atomic<int> recovered{0};
  auto const ex = run_bounded({{"x", 4}}, [&](rank& r) {
    auto& c = r.comm("x");
    std::vector<float> v(r.index() == 1 ? 5 : 4, 1.0f);
    s.guard([&] { c.all_reduce_sum(v); });
    // Every rank threw the same error, so the group is still usable.
    std::vector<float> w(3, 1.0f);
    c.all_reduce_sum(w);
    if (w == std::vector<float>(3, 4.0f)) ++recovered;
  });
  REQUIRE_FALSE(ex);
  CHECK(s.errors == 4);
  CHECK(recovered == 4);
  check_all(s, comm_error::reason::mismatch, 1,
            "spmd: all_reduce_sum on group 'x': rank 1 passed 5 elements, rank 0 passed 4");
}

TEST_CASE("threads faults: all_gather with sizes or counts that disagree", "[threads][faults]") {
  SECTION("input size differs from counts") {
    seen s;
    auto const ex = run_bounded({{"dp", 2}, {"tp", 2}}, [&](rank& r) {
      std::vector<std::size_t> const counts{4, 4};
      std::vector<float> in(r.coord("tp") == 1 ? 3 : 4), out(8);
      s.guard([&] { r.comm("tp").all_gather(in, out, counts); });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 4);
    // The tp groups are {0, 1} and {2, 3}: rank 1 of each is at fault.
    for (std::size_t i = 0; i < s.messages.size(); ++i) {
      INFO(s.messages[i]);
      CHECK(s.reasons[i] == comm_error::reason::mismatch);
      CHECK((s.ranks[i] == 1u || s.ranks[i] == 3u));
      bool const group0 = s.ranks[i] == 1u;
      CHECK(s.messages[i] == (group0 ? "spmd: all_gather on group 'tp': rank 1 passed 3 elements, counts say 4"
                                     : "spmd: all_gather on group 'tp': rank 1 (world rank 3) passed 3 "
                                       "elements, counts say 4"));
    }
  }
  SECTION("counts differ between ranks") {
    seen s;
    auto const ex = run_bounded({{"x", 3}}, [&](rank& r) {
      std::vector<std::size_t> counts{1, 1, 1};
      if (r.index() == 2) counts = {1, 2, 1};
      std::vector<double> in(counts[r.index()]), out(r.index() == 2 ? 4 : 3);
      s.guard([&] { r.comm("x").all_gather(in, out, counts); });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 3);
    check_all(s, comm_error::reason::mismatch, 2, "rank 2 passed counts [1, 2, 1], rank 0 passed [1, 1, 1]");
  }
  SECTION("wrong number of counts") {
    seen s;
    auto const ex = run_bounded({{"x", 2}}, [&](rank& r) {
      std::vector<std::size_t> const counts{1, 1, 1};
      std::vector<double> in(1), out(2);
      s.guard([&] { r.comm("x").all_gather(in, out, counts); });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 2);
    check_all(s, comm_error::reason::mismatch, 0, "rank 0 passed 3 counts for a group of 2 ranks");
  }
  SECTION("output size differs from the sum of counts") {
    seen s;
    auto const ex = run_bounded({{"x", 2}}, [&](rank& r) {
      std::vector<std::size_t> const counts{2, 3};
      std::vector<float> in(counts[r.index()]), out(r.index() == 0 ? 5 : 6);
      s.guard([&] { r.comm("x").all_gather(in, out, counts); });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 2);
    check_all(s, comm_error::reason::mismatch, 1, "rank 1 passed an output of 6 elements, counts sum to 5");
  }
}

TEST_CASE("threads faults: reduce_scatter, all_to_all and broadcast that disagree", "[threads][faults]") {
  SECTION("reduce_scatter counts differ") {
    seen s;
    auto const ex = run_bounded({{"x", 3}}, [&](rank& r) {
      std::vector<std::size_t> counts{3, 1, 2};
      if (r.index() == 1) counts = {3, 2, 1};
      std::vector<float> in(6), out(counts[r.index()]);
      s.guard([&] { r.comm("x").reduce_scatter_sum(in, out, counts); });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 3);
    check_all(s, comm_error::reason::mismatch, 1,
              "spmd: reduce_scatter_sum on group 'x': rank 1 passed counts [3, 2, 1], rank 0 passed [3, 1, 2]");
  }
  SECTION("reduce_scatter output size") {
    seen s;
    auto const ex = run_bounded({{"x", 3}}, [&](rank& r) {
      std::vector<std::size_t> const counts{3, 1, 2};
      std::vector<float> in(6), out(r.index() == 2 ? 1 : counts[r.index()]);
      s.guard([&] { r.comm("x").reduce_scatter_sum(in, out, counts); });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 3);
    check_all(s, comm_error::reason::mismatch, 2, "rank 2 passed an output of 1 elements, counts say 2");
  }
  SECTION("all_to_all counts that do not pair up") {
    seen s;
    auto const ex = run_bounded({{"x", 2}}, [&](rank& r) {
      std::vector<std::size_t> const send_counts{1, r.index() == 0 ? 2u : 1u}, recv_counts{1, 1};
      std::vector<double> send(send_counts[0] + send_counts[1]), recv(2);
      s.guard([&] { r.comm("x").all_to_all(send, send_counts, recv, recv_counts); });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 2);
    check_all(s, comm_error::reason::mismatch, 0, "rank 0 sends 2 elements to rank 1, which expects 1");
  }
  SECTION("broadcast roots differ") {
    seen s;
    auto const ex = run_bounded({{"x", 3}}, [&](rank& r) {
      std::vector<float> v(4);
      s.guard([&] { r.comm("x").broadcast(v, r.index() == 2 ? 1 : 0); });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 3);
    check_all(s, comm_error::reason::mismatch, 2, "rank 2 passed root 1, rank 0 passed root 0");
  }
  SECTION("broadcast root outside the group") {
    seen s;
    auto const ex = run_bounded({{"x", 2}}, [&](rank& r) {
      std::vector<float> v(4);
      s.guard([&] { r.comm("x").broadcast(v, 7); });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 2);
    check_all(s, comm_error::reason::mismatch, 0, "root 7 is not a rank of the group (size 2)");
  }
  SECTION("different collectives") {
    seen s;
    auto const ex = run_bounded({{"x", 2}}, [&](rank& r) {
      std::vector<float> v(4);
      std::vector<std::size_t> const counts{2, 2};
      s.guard([&] {
        if (r.index() == 0)
          r.comm("x").all_reduce_sum(v);
        else
          r.comm("x").all_gather(std::span<float const>(v.data(), 2), v, counts);
      });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 2);
    check_all(s, comm_error::reason::mismatch, 1,
              "rank 0 called all_reduce_sum(float) but rank 1 called all_gather(float)");
  }
}

TEST_CASE("threads faults: a rank returns while others wait for it", "[threads][faults]") {
  SECTION("before the others call the collective") {
    seen s;
    auto const ex = run_bounded({{"x", 3}}, [&](rank& r) {
      if (r.index() == 2) return;
      std::vector<float> v(100);
      s.guard([&] { r.comm("x").all_reduce_sum(v); });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 2);
    check_all(s, comm_error::reason::rank_finished, 2, "spmd: all_reduce_sum on group 'x': rank 2 has finished");
  }
  SECTION("while the others are blocked in it") {
    seen s;
    auto const ex = run_bounded({{"x", 4}}, [&](rank& r) {
      if (r.index() == 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return;
      }
      std::vector<double> v(10);
      std::vector<std::size_t> const counts{10, 10, 10, 10};
      std::vector<double> out(40);
      s.guard([&] { r.comm("x").all_gather(v, out, counts); });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 3);
    check_all(s, comm_error::reason::rank_finished, 1, "rank 1 has finished");
  }
  SECTION("only the groups of the finished rank fail") {
    seen s;
    std::atomic<int> ok{0};
    auto const ex = run_bounded({{"dp", 2}, {"tp", 2}}, [&](rank& r) {
      if (r.index() == 3) return;
      std::vector<float> v(8, 1.0f);
      s.guard([&] {
        r.comm("tp").all_reduce_sum(v);  // {0, 1} completes; {2, 3} cannot
        if (v == std::vector<float>(8, 2.0f)) ++ok;
      });
    });
    REQUIRE_FALSE(ex);
    CHECK(ok == 2);
    CHECK(s.errors == 1);
    check_all(s, comm_error::reason::rank_finished, 3, "rank 1 (world rank 3) has finished");
  }
  SECTION("an uncaught comm_error is rethrown by run") {
    auto const ex = run_bounded({{"x", 2}}, [&](rank& r) {
      if (r.index() == 0) r.comm("x").barrier();
    });
    CHECK(rethrows<comm_error>(ex));
    CHECK(contains(what_of(ex), "rank 1 has finished"));
  }
}

TEST_CASE("threads faults: ranks waiting for each other in different groups", "[threads][faults]") {
  // On a 2x2 mesh each rank waits in a group whose other member waits elsewhere: a cycle.
  seen s;
  auto const ex = run_bounded({{"dp", 2}, {"tp", 2}}, [&](rank& r) {
    bool const on_tp = r.index() == 0 || r.index() == 3;
    s.guard([&] { r.comm(on_tp ? "tp" : "dp").barrier(); });
  });
  REQUIRE_FALSE(ex);
  CHECK(s.errors == 4);
  check_all(s, comm_error::reason::deadlock, std::nullopt, "spmd: deadlock");
  for (auto const& m : s.messages) CHECK(contains(m, "rank 1: barrier on group 'dp'"));
}

TEST_CASE("threads faults: waiters that spin still notice faults", "[threads][faults]") {
  // With a spin far longer than the test's bound, only the spin loop's own checks can end it.
  scoped_env const long_spin("SPMD_THREADS_SPIN_US", "100000000");
  SECTION("a rank throws") {
    seen s;
    auto const ex = run_bounded({{"x", 3}}, [&](rank& r) {
      if (r.index() == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        throw std::runtime_error("spinning");
      }
      std::vector<float> v(64);
      s.guard([&] { r.comm("x").all_reduce_sum(v); });
    });
    CHECK(rethrows<std::runtime_error>(ex));
    CHECK(s.errors == 2);
    check_all(s, comm_error::reason::rank_failed, 0, "spmd: rank 0 failed: spinning");
  }
  SECTION("a rank returns") {
    seen s;
    auto const ex = run_bounded({{"x", 2}}, [&](rank& r) {
      if (r.index() == 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return;
      }
      s.guard([&] { r.comm("x").barrier(); });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 1);
    check_all(s, comm_error::reason::rank_finished, 1, "rank 1 has finished");
  }
  SECTION("a deadlock") {
    seen s;
    auto const ex = run_bounded({{"dp", 2}, {"tp", 2}}, [&](rank& r) {
      bool const on_tp = r.index() == 0 || r.index() == 3;
      s.guard([&] { r.comm(on_tp ? "tp" : "dp").barrier(); });
    });
    REQUIRE_FALSE(ex);
    CHECK(s.errors == 4);
    check_all(s, comm_error::reason::deadlock, std::nullopt, "spmd: deadlock");
  }
}
