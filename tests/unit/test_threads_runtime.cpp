// The threads runtime: forward values of every collective against its specification, on groups
// of size 1..4, on the axes of 2-D and 3-D meshes and on flattened groups; the rank's view of the
// mesh; invalid meshes; and a stress run of mixed collectives.
//
// Catch2 assertions are not thread-safe, so ranks never assert: each rank writes what went wrong
// into its own entry of a vector, and the test thread checks the entries after run() returned.
// Every run is bounded (a hang fails the test instead of blocking it).
#include <spmd/runtime/threads.hpp>

#include <catch2/catch.hpp>

#include "../common/collective_data.hpp"
#include "../common/run_bounded.hpp"
#include "../common/scoped_env.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using spmd::threads::communicator;
using spmd::threads::rank;
using spmd_tests::gen;
using spmd_tests::mesh_t;
using spmd_tests::run_bounded;
using spmd_tests::sum;
using spmd_tests::uneven_counts;

namespace {

/// Elements rank i sends to rank j in the all_to_all checks (some are 0).
std::size_t a2a_count(std::size_t i, std::size_t j, std::size_t scale) {
  return ((i * 3 + j * 5) % 4 + (i == j ? 2 : 0)) * scale;
}

/// Appends to `err` a description of the first difference between `got` and `want` (exact
/// comparison: the runtime sums in rank order, like the serial reference).
template <class T>
void expect_equal(std::string& err, std::span<T const> got, std::vector<T> const& want, std::string const& what) {
  if (!err.empty()) return;
  std::ostringstream os;
  if (got.size() != want.size()) {
    os << what << ": size " << got.size() << ", expected " << want.size();
    err = os.str();
    return;
  }
  for (std::size_t i = 0; i < want.size(); ++i)
    if (!(got[i] == want[i])) {
      os << what << ": element " << i << " is " << got[i] << ", expected " << want[i];
      err = os.str();
      return;
    }
}
template <class T>
void expect_equal(std::string& err, std::vector<T> const& got, std::vector<T> const& want, std::string const& what) {
  expect_equal(err, std::span<T const>(got), want, what);
}

/// Runs every collective on `c` and checks what this rank holds against the specification.
/// Returns "" or a description of the first wrong value.
template <class T>
std::string check_collectives(communicator& c, unsigned seed) {
  std::string err;
  std::size_t const n = c.size(), r = c.rank();
  auto const members = c.world_ranks();
  std::size_t const me = members[r];
  std::string const tag = std::string(sizeof(T) == 4 ? "float" : "double") + " group '" + std::string(c.name()) +
                          "' rank " + std::to_string(r) + ": ";
  std::size_t salt = 0;

  // all_reduce_sum, over lengths that cover empty, tiny, partial and several full tiles.
  for (std::size_t len : {0u, 1u, 5u, 17u, 1000u, 4099u, 3 * 2048u + 7u}) {
    ++salt;
    auto v = gen<T>(seed, me, salt, len);
    c.all_reduce_sum(v);
    std::vector<T> want = gen<T>(seed, members[0], salt, len);
    for (std::size_t s = 1; s < n; ++s) {
      auto const x = gen<T>(seed, members[s], salt, len);
      for (std::size_t i = 0; i < len; ++i) want[i] += x[i];
    }
    expect_equal(err, v, want, tag + "all_reduce_sum len " + std::to_string(len));
  }

  for (std::size_t scale : {1u, 1000u}) {
    auto const counts = uneven_counts(n, scale);
    std::size_t const total = sum(counts);
    std::size_t off = 0;
    for (std::size_t s = 0; s < r; ++s) off += counts[s];

    // reduce_scatter_sum, out of place and in place.
    ++salt;
    {
      auto const in = gen<T>(seed, me, salt, total);
      std::vector<T> out(counts[r], T(-7));
      c.reduce_scatter_sum(in, out, counts);
      std::vector<T> want(counts[r]);
      for (std::size_t s = 0; s < n; ++s) {
        auto const x = gen<T>(seed, members[s], salt, total);
        for (std::size_t i = 0; i < counts[r]; ++i) want[i] = s == 0 ? x[off + i] : want[i] + x[off + i];
      }
      expect_equal(err, out, want, tag + "reduce_scatter_sum scale " + std::to_string(scale));

      auto inout = in;
      std::span<T> block(inout.data() + off, counts[r]);
      c.reduce_scatter_sum(inout, block, counts);
      expect_equal(err, std::span<T const>(block), want, tag + "in-place reduce_scatter_sum");
    }

    // all_gather, out of place and in place.
    ++salt;
    {
      auto const in = gen<T>(seed, me, salt, counts[r]);
      std::vector<T> out(total, T(-7));
      c.all_gather(in, out, counts);
      std::vector<T> want;
      for (std::size_t s = 0; s < n; ++s) {
        auto const x = gen<T>(seed, members[s], salt, counts[s]);
        want.insert(want.end(), x.begin(), x.end());
      }
      expect_equal(err, out, want, tag + "all_gather scale " + std::to_string(scale));

      std::vector<T> inout(total, T(-7));
      std::copy(in.begin(), in.end(), inout.begin() + std::ptrdiff_t(off));
      c.all_gather(std::span<T const>(inout.data() + off, counts[r]), inout, counts);
      expect_equal(err, inout, want, tag + "in-place all_gather");
    }

    // reduce_scatter_sum and all_gather with the full buffer in rows (spmd::block_rows): row o of
    // the full buffer is row o of every block, in rank order.
    for (std::size_t rows : {2u, 3u}) {
      std::vector<std::size_t> rc(n);
      for (std::size_t s = 0; s < n; ++s) rc[s] = counts[s] * rows;
      std::size_t const row_len = total, piece = counts[r];
      ++salt;
      auto const in = gen<T>(seed, me, salt, total * rows);
      std::vector<T> out(piece * rows, T(-7));
      c.reduce_scatter_sum(in, out, rc, spmd::block_rows{rows});
      std::vector<T> want(piece * rows);
      for (std::size_t s = 0; s < n; ++s) {
        auto const x = gen<T>(seed, members[s], salt, total * rows);
        for (std::size_t o = 0; o < rows; ++o)
          for (std::size_t i = 0; i < piece; ++i) {
            T const v = x[o * row_len + off + i];
            want[o * piece + i] = s == 0 ? v : want[o * piece + i] + v;
          }
      }
      expect_equal(err, out, want,
                   tag + "reduce_scatter_sum in " + std::to_string(rows) + " rows, scale " + std::to_string(scale));

      ++salt;
      auto const block = gen<T>(seed, me, salt, piece * rows);
      std::vector<T> full(total * rows, T(-7));
      c.all_gather(block, full, rc, spmd::block_rows{rows});
      std::vector<T> want_full(total * rows);
      for (std::size_t s = 0, col = 0; s < n; col += counts[s], ++s) {
        auto const x = gen<T>(seed, members[s], salt, counts[s] * rows);
        for (std::size_t o = 0; o < rows; ++o)
          for (std::size_t i = 0; i < counts[s]; ++i) want_full[o * row_len + col + i] = x[o * counts[s] + i];
      }
      expect_equal(err, full, want_full,
                   tag + "all_gather in " + std::to_string(rows) + " rows, scale " + std::to_string(scale));
    }

    // all_to_all with a different count for every (sender, receiver) pair.
    ++salt;
    {
      std::vector<std::size_t> send_counts(n), recv_counts(n);
      for (std::size_t j = 0; j < n; ++j) send_counts[j] = a2a_count(r, j, scale);
      for (std::size_t i = 0; i < n; ++i) recv_counts[i] = a2a_count(i, r, scale);
      auto const send = gen<T>(seed, me, salt, sum(send_counts));
      std::vector<T> recv(sum(recv_counts), T(-7));
      c.all_to_all(send, send_counts, recv, recv_counts);
      std::vector<T> want;
      for (std::size_t i = 0; i < n; ++i) {
        std::size_t total_i = 0, off_i = 0;
        for (std::size_t j = 0; j < n; ++j) {
          total_i += a2a_count(i, j, scale);
          if (j < r) off_i += a2a_count(i, j, scale);
        }
        auto const x = gen<T>(seed, members[i], salt, total_i);
        want.insert(want.end(), x.begin() + std::ptrdiff_t(off_i),
                    x.begin() + std::ptrdiff_t(off_i + a2a_count(i, r, scale)));
      }
      expect_equal(err, recv, want, tag + "all_to_all scale " + std::to_string(scale));
    }
  }

  // broadcast from every root.
  for (std::size_t root = 0; root < n; ++root) {
    ++salt;
    auto v = gen<T>(seed, me, salt, 333);
    c.broadcast(v, root);
    expect_equal(err, v, gen<T>(seed, members[root], salt, 333), tag + "broadcast from root " + std::to_string(root));
  }
  c.barrier();
  return err;
}

/// Checks all collectives in float and double on the communicators `pick(rank)` returns.
template <class Pick>
void check_mesh(mesh_t const& mesh, std::size_t world, Pick pick, unsigned seed) {
  std::vector<std::string> errs(world);
  auto const ex = run_bounded(mesh, [&](rank& r) {
    std::string& e = errs[r.index()];
    for (communicator* c : pick(r)) {  // every rank runs everything; keep the first error
      for (std::string x : {check_collectives<float>(*c, seed), check_collectives<double>(*c, seed + 1)})
        if (e.empty()) e = x;
    }
  });
  REQUIRE_FALSE(ex);
  for (std::size_t i = 0; i < world; ++i) {
    INFO("rank " << i);
    CHECK(errs[i] == "");
  }
}

}  // namespace

TEST_CASE("threads: every collective on 1-D groups of 1, 2, 3 and 4 ranks", "[threads]") {
  for (std::size_t n = 1; n <= 4; ++n) {
    INFO("group size " << n);
    check_mesh(
        {{"x", n}}, n, [](rank& r) { return std::vector<communicator*>{&r.comm("x")}; }, unsigned(10 + n));
  }
}

TEST_CASE("threads: every collective on a 2x2 mesh, per axis and flattened", "[threads]") {
  check_mesh(
      {{"dp", 2}, {"tp", 2}}, 4,
      [](rank& r) {
        return std::vector<communicator*>{&r.comm("dp"), &r.comm("tp"), &r.comm({"dp", "tp"})};
      },
      21u);
}

TEST_CASE("threads: every collective on flattened groups of a 3-D mesh", "[threads]") {
  // {a: 2, b: 3, c: 2}: {a, c} groups have 4 ranks, {b, c} groups 6.
  check_mesh(
      {{"a", 2}, {"b", 3}, {"c", 2}}, 12,
      [](rank& r) {
        return std::vector<communicator*>{&r.comm({"c", "a"}), &r.comm({"b", "c"})};
      },
      31u);
}

// Blocks of several MiB take the copies that bypass the caches; the buffers start off a cache
// line and the blocks are uneven, so the copies have unaligned heads and tails.
TEST_CASE("threads: reduce_scatter and all_gather of large uneven blocks on 3 ranks", "[threads]") {
  constexpr std::size_t n = 3;
  std::vector<std::size_t> const counts = {(std::size_t{9} << 18) + 5, (std::size_t{17} << 17) + 1,
                                           std::size_t{3} << 20};  // floats: 9, 8.5, 12 MiB
  std::size_t const total = sum(counts);
  auto const value = [](std::size_t who, std::size_t i) {
    return float((i * 7 + who * 13) % 1024) - 512.0f;  // small integers: sums are exact
  };
  std::vector<std::string> errs(n);
  auto const ex = run_bounded({{"x", n}}, [&](rank& r) {
    auto& c = r.comm("x");
    std::size_t const me = c.rank();
    std::string& err = errs[me];
    std::size_t off = 0;
    for (std::size_t s = 0; s < me; ++s) off += counts[s];

    std::vector<float> full(total + 1);
    std::span<float> const in(full.data() + 1, total);
    for (std::size_t i = 0; i < total; ++i) in[i] = value(me, i);
    std::vector<float> part(counts[me] + 3, -7.0f);
    std::span<float> const out(part.data() + 3, counts[me]);
    c.reduce_scatter_sum(std::span<float const>(in), out, counts);
    for (std::size_t i = 0; i < counts[me] && err.empty(); ++i) {
      float const want = value(0, off + i) + value(1, off + i) + value(2, off + i);
      if (out[i] != want)
        err = "reduce_scatter_sum: element " + std::to_string(i) + " is " + std::to_string(out[i]) + ", expected " +
              std::to_string(want);
    }

    for (std::size_t i = 0; i < counts[me]; ++i) out[i] = value(me, off + i) * 2.0f;
    std::fill(in.begin(), in.end(), -7.0f);
    c.all_gather(std::span<float const>(out), in, counts);
    for (std::size_t s = 0, o = 0; s < n && err.empty(); o += counts[s], ++s)
      for (std::size_t i = 0; i < counts[s]; ++i)
        if (in[o + i] != value(s, o + i) * 2.0f) {
          err = "all_gather: element " + std::to_string(o + i) + " is " + std::to_string(in[o + i]);
          break;
        }
    if (err.empty() && (full[0] != 0.0f || part[2] != -7.0f)) err = "a collective wrote outside its buffers";
  });
  REQUIRE_FALSE(ex);
  for (std::size_t i = 0; i < n; ++i) {
    INFO("rank " << i);
    CHECK(errs[i] == "");
  }
}

TEST_CASE("threads: coordinates, axis sizes and groups on a 2x3 mesh", "[threads]") {
  std::vector<std::string> errs(6);
  auto const ex = run_bounded({{"dp", 2}, {"tp", 3}}, [&](rank& r) {
    std::ostringstream e;
    std::size_t const i = r.index();
    if (r.world_size() != 6) e << "world_size " << r.world_size() << "; ";
    if (r.coord("dp") != i / 3 || r.coord("tp") != i % 3)
      e << "coords (" << r.coord("dp") << ", " << r.coord("tp") << "); ";
    if (r.axis_size("dp") != 2 || r.axis_size("tp") != 3) e << "axis sizes; ";
    auto const names = r.axis_names();
    if (names.size() != 2 || names[0] != "dp" || names[1] != "tp") e << "axis names; ";

    // Who is in my groups: all_gather of the mesh index, group rank = coordinate on the axis.
    auto gather_index = [&](communicator& c) {
      std::vector<double> out(c.size());
      std::vector<std::size_t> counts(c.size(), 1);
      double const mine = double(i);
      c.all_gather(std::span<double const>(&mine, 1), out, counts);
      return out;
    };
    auto& tp = r.comm("tp");
    auto& dp = r.comm("dp");
    auto& all = r.comm({"tp", "dp"});
    if (tp.size() != 3 || tp.rank() != i % 3 || tp.name() != "tp") e << "tp comm; ";
    if (dp.size() != 2 || dp.rank() != i / 3 || dp.name() != "dp") e << "dp comm; ";
    if (all.size() != 6 || all.rank() != i || all.name() != "dp,tp") e << "flattened comm; ";
    if (&all != &r.comm({"dp", "tp"})) e << "flattened comm not cached per set of axes; ";
    if (&r.comm({"tp"}) != &tp) e << "comm({tp}) is not comm(tp); ";
    std::size_t const row = i / 3 * 3, col = i % 3;
    if (gather_index(tp) != std::vector<double>{double(row), double(row + 1), double(row + 2)})
      e << "tp group members; ";
    if (gather_index(dp) != std::vector<double>{double(col), double(col + 3)}) e << "dp group members; ";
    if (gather_index(all) != std::vector<double>{0, 1, 2, 3, 4, 5}) e << "flattened group members; ";
    auto const w = tp.world_ranks();
    if (w.size() != 3 || w[0] != row || w[2] != row + 2) e << "tp world_ranks; ";

    try {
      (void)r.coord("pp");
      e << "coord(pp) did not throw; ";
    } catch (std::invalid_argument const& x) {
      if (std::string(x.what()).find("'pp'") == std::string::npos) e << "coord message: " << x.what();
    }
    try {
      (void)r.comm("xx");
      e << "comm(xx) did not throw; ";
    } catch (std::invalid_argument const&) {
    }
    try {
      (void)r.comm({"tp", "tp"});
      e << "comm({tp, tp}) did not throw; ";
    } catch (std::invalid_argument const&) {
    }
    errs[i] = e.str();
  });
  REQUIRE_FALSE(ex);
  for (std::size_t i = 0; i < 6; ++i) {
    INFO("rank " << i);
    CHECK(errs[i] == "");
  }
}

TEST_CASE("threads: a mesh of one rank runs its collectives as copies", "[threads]") {
  std::string err = "did not run";
  auto const ex = run_bounded({{"dp", 1}, {"tp", 1}}, [&](rank& r) {
    err = check_collectives<float>(r.comm({"dp", "tp"}), 5u) + check_collectives<double>(r.comm("tp"), 6u);
  });
  REQUIRE_FALSE(ex);
  CHECK(err == "");
}

TEST_CASE("threads: invalid meshes are rejected with std::invalid_argument", "[threads]") {
  auto const noop = [](rank&) {};
  CHECK_THROWS_AS(spmd::threads::run({}, noop), std::invalid_argument);
  CHECK_THROWS_WITH(spmd::threads::run({{"dp", 2}, {"tp", 0}}, noop),
                    Catch::Contains("'tp'") && Catch::Contains("size 0"));
  CHECK_THROWS_WITH(spmd::threads::run({{"dp", 2}, {"dp", 2}}, noop), Catch::Contains("'dp' twice"));
  CHECK_THROWS_AS(spmd::threads::run({{"", 2}}, noop), std::invalid_argument);
  // ',' separates the axes of a flattened group ("dp,tp"): an axis name cannot contain it.
  CHECK_THROWS_WITH(spmd::threads::run({{"dp,tp", 2}}, noop), Catch::Contains("mesh axis name 'dp,tp' contains ','"));
}

namespace {

using spmd_tests::scoped_env;

/// 200 rounds: every round, every rank derives the same sizes from the round number, runs a
/// collective on one of the 2x2 mesh's groups and checks its values.
void mixed_rounds() {
  std::vector<std::string> errs(4);
  auto const ex = run_bounded({{"dp", 2}, {"tp", 2}}, [&](rank& r) {
    std::string& e = errs[r.index()];
    communicator* groups[] = {&r.comm("dp"), &r.comm("tp"), &r.comm({"dp", "tp"})};
    for (unsigned round = 0; round < 200; ++round) {
      std::mt19937 g(round);
      communicator& c = *groups[g() % 3];
      std::size_t const n = c.size(), gr = c.rank();
      auto const members = c.world_ranks();
      std::size_t const len = g() % 3000;
      std::size_t const kind = g() % 4;
      std::string const what = "round " + std::to_string(round) + " group " + std::string(c.name());
      if (kind == 0) {
        auto v = gen<float>(round, members[gr], 0, len);
        c.all_reduce_sum(v);
        std::vector<float> want = gen<float>(round, members[0], 0, len);
        for (std::size_t s = 1; s < n; ++s) {
          auto const x = gen<float>(round, members[s], 0, len);
          for (std::size_t i = 0; i < len; ++i) want[i] += x[i];
        }
        expect_equal(e, v, want, what + " all_reduce_sum");
      } else if (kind == 1) {
        std::vector<std::size_t> counts(n);
        for (auto& x : counts) x = g() % 700;
        auto const in = gen<double>(round, members[gr], 1, counts[gr]);
        std::vector<double> out(sum(counts));
        c.all_gather(in, out, counts);
        std::vector<double> want;
        for (std::size_t s = 0; s < n; ++s) {
          auto const x = gen<double>(round, members[s], 1, counts[s]);
          want.insert(want.end(), x.begin(), x.end());
        }
        expect_equal(e, out, want, what + " all_gather");
      } else if (kind == 2) {
        std::vector<std::size_t> counts(n);
        for (auto& x : counts) x = g() % 700;
        std::size_t off = 0;
        for (std::size_t s = 0; s < gr; ++s) off += counts[s];
        auto const in = gen<float>(round, members[gr], 2, sum(counts));
        std::vector<float> out(counts[gr]);
        c.reduce_scatter_sum(in, out, counts);
        std::vector<float> want(counts[gr], 0.0f);
        for (std::size_t s = 0; s < n; ++s) {
          auto const x = gen<float>(round, members[s], 2, sum(counts));
          for (std::size_t i = 0; i < counts[gr]; ++i) want[i] = s == 0 ? x[off + i] : want[i] + x[off + i];
        }
        expect_equal(e, out, want, what + " reduce_scatter_sum");
      } else {
        std::size_t const root = g() % n;
        auto v = gen<double>(round, members[gr], 3, len);
        c.broadcast(v, root);
        expect_equal(e, v, gen<double>(round, members[root], 3, len), what + " broadcast");
      }
    }
    r.comm({"dp", "tp"}).barrier();
  });
  REQUIRE_FALSE(ex);
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("rank " << i);
    CHECK(errs[i] == "");
  }
}

}  // namespace

TEST_CASE("threads: 200 rounds of mixed collectives on 4 ranks", "[threads][stress]") {
  SECTION("default waiting (yield, then block)") {
    mixed_rounds();
  }
  SECTION("waiters block at once") {
    scoped_env const no_spin("SPMD_THREADS_SPIN_US", "0");
    mixed_rounds();
  }
  SECTION("waiters only spin") {
    scoped_env const long_spin("SPMD_THREADS_SPIN_US", "100000000");
    mixed_rounds();
  }
}
