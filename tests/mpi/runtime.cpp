// The MPI runtime's untyped layer: the rank's view of the mesh, the forward values of every
// collective (float and double; uneven counts with zeros; in place; every root) on every axis
// group and on flattened groups, the checks of each rank's own arguments (always on), the
// agreement check (options::check_agreement: every rank throws the same comm_error), and MPI
// errors turned into comm_error.
//   mpirun -np N runtime       on a (dp, tp, pp) mesh: dp = 2 if N is even and > 2, else 1; pp = 1
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <spmd/runtime/mpi.hpp>

#include "../common/collective_data.hpp"
#include "mpi_test.hpp"

using spmd::mpi::communicator;
using spmd::mpi::rank;
using spmd_mpi_tests::checker;
using spmd_tests::gen;
using spmd_tests::sum;
using spmd_tests::uneven_counts;

namespace {

template <class T>
bool near(T a, T b) {
  T const d = a > b ? a - b : b - a;
  T const m = (a > 0 ? a : -a) + (b > 0 ? b : -b);
  return d <= (sizeof(T) == 4 ? T(1e-5) : T(1e-12)) * (T(1) + m);
}

template <class T>
bool near(std::vector<T> const& a, std::vector<T> const& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!near(a[i], b[i])) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// The rank's view of the mesh.

void mesh_view(checker& c, rank& r, std::size_t dp, std::size_t tp) {
  int world_rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  c.check(r.index() == static_cast<std::size_t>(world_rank), "index() is the MPI_COMM_WORLD rank");
  c.check(r.world_size() == dp * tp, "world_size()");
  c.check(r.coord("dp") == r.index() / tp && r.coord("tp") == r.index() % tp && r.coord("pp") == 0,
          "coordinates are row-major in mesh order");
  c.check(r.axis_size("dp") == dp && r.axis_size("tp") == tp && r.axis_size("pp") == 1, "axis_size()");
  c.check(r.axis_names().size() == 3 && r.axis_names()[0] == "dp" && r.axis_names()[2] == "pp", "axis_names()");
  communicator& t = r.comm("tp");
  c.check(t.size() == tp && t.rank() == r.coord("tp") && t.name() == "tp", "comm(\"tp\"): size, rank, name");
  bool members_ok = t.world_ranks().size() == tp;
  for (std::size_t i = 0; members_ok && i < tp; ++i) members_ok = t.world_ranks()[i] == r.coord("dp") * tp + i;
  c.check(members_ok, "comm(\"tp\").world_ranks()");
  communicator& d = r.comm("dp");
  c.check(d.size() == dp && d.rank() == r.coord("dp"), "comm(\"dp\"): size, rank");
  communicator& f = r.comm({"tp", "dp"});
  c.check(&f == &r.comm({"dp", "tp"}) && &f != &r.comm({"dp", "tp", "pp"}), "flattened groups are cached");
  c.check(f.size() == dp * tp && f.rank() == r.index() && f.name() == "dp,tp",
          "flattened group: rank row-major in mesh order, name in mesh order");
  communicator& one = r.comm({"pp"});
  c.check(&one == &r.comm("pp") && one.size() == 1, "a one-axis list is comm(axis)");
  c.expect_throw<std::invalid_argument>([&] { (void)r.comm("xx"); }, "the mesh has no axis 'xx' (axes: dp tp pp)",
                                        "unknown axis");
  c.expect_throw<std::invalid_argument>(
      [&] {
        (void)r.comm({"dp", "dp"});
      },
      "axis 'dp' is listed twice", "axis listed twice");
  c.expect_throw<std::invalid_argument>([&] { (void)r.coord("zz"); }, "no axis 'zz'", "coord of an unknown axis");
}

// ---------------------------------------------------------------------------------------------
// Forward values on one group.

template <class T>
void values(checker& c, communicator& g, unsigned seed) {
  std::size_t const n = g.size(), me = g.rank();
  std::string const where = std::string(g.name()) + (sizeof(T) == 4 ? " float" : " double") + ": ";

  // all_reduce_sum: sums in any order are near the serial sum.
  for (std::size_t len : {0u, 1u, 1000u, 4099u}) {
    auto data = gen<T>(seed, me, len, len);
    g.all_reduce_sum(std::span<T>(data));
    std::vector<T> expect(len, T(0));
    for (std::size_t k = 0; k < n; ++k) {
      auto const x = gen<T>(seed, k, len, len);
      for (std::size_t i = 0; i < len; ++i) expect[i] += x[i];
    }
    c.check(near(data, expect), where + "all_reduce_sum of " + std::to_string(len));
  }

  // reduce_scatter_sum: uneven and even counts, out of place and in place.
  for (std::size_t scale : {1u, 7u}) {
    for (bool even : {false, true}) {
      auto const counts = even ? std::vector<std::size_t>(n, scale) : uneven_counts(n, scale);
      std::size_t off = 0;
      for (std::size_t i = 0; i < me; ++i) off += counts[i];
      auto in = gen<T>(seed + 1, me, scale, sum(counts));
      std::vector<T> expect(counts[me], T(0));
      for (std::size_t k = 0; k < n; ++k) {
        auto const x = gen<T>(seed + 1, k, scale, sum(counts));
        for (std::size_t i = 0; i < counts[me]; ++i) expect[i] += x[off + i];
      }
      std::vector<T> out(counts[me]);
      g.reduce_scatter_sum(std::span<T const>(in), std::span<T>(out), counts);
      c.check(near(out, expect), where + "reduce_scatter_sum" + (even ? " even" : " uneven"));
      g.reduce_scatter_sum(std::span<T const>(in), std::span<T>(in.data() + off, counts[me]), counts);
      c.check(near(std::vector<T>(in.begin() + static_cast<std::ptrdiff_t>(off),
                                  in.begin() + static_cast<std::ptrdiff_t>(off + counts[me])),
                   expect),
              where + "reduce_scatter_sum in place" + (even ? " even" : " uneven"));
    }
  }

  // all_gather: uneven and even counts, out of place and in place.
  for (bool even : {false, true}) {
    auto const counts = even ? std::vector<std::size_t>(n, 5) : uneven_counts(n, 3);
    std::vector<T> expect;
    for (std::size_t k = 0; k < n; ++k) {
      auto const x = gen<T>(seed + 2, k, 0, counts[k]);
      expect.insert(expect.end(), x.begin(), x.end());
    }
    auto const mine = gen<T>(seed + 2, me, 0, counts[me]);
    std::vector<T> out(sum(counts));
    g.all_gather(std::span<T const>(mine), std::span<T>(out), counts);
    c.check(out == expect, where + "all_gather" + (even ? " even" : " uneven"));
    std::vector<T> inplace(sum(counts), T(-7));
    std::size_t off = 0;
    for (std::size_t i = 0; i < me; ++i) off += counts[i];
    std::copy(mine.begin(), mine.end(), inplace.begin() + static_cast<std::ptrdiff_t>(off));
    g.all_gather(std::span<T const>(inplace.data() + off, counts[me]), std::span<T>(inplace), counts);
    c.check(inplace == expect, where + "all_gather in place" + (even ? " even" : " uneven"));
  }

  // all_to_all: rank i sends (i + 2 j) % 3 elements to rank j (some zeros), and an even variant.
  for (bool even : {false, true}) {
    auto const count = [&](std::size_t from, std::size_t to) -> std::size_t { return even ? 4 : (from + 2 * to) % 3; };
    std::vector<std::size_t> sc(n), rc(n);
    for (std::size_t j = 0; j < n; ++j) {
      sc[j] = count(me, j);
      rc[j] = count(j, me);
    }
    auto const send = gen<T>(seed + 3, me, 0, sum(sc));
    std::vector<T> expect;
    for (std::size_t i = 0; i < n; ++i) {
      auto const x = gen<T>(seed + 3, i, 0, [&] {
        std::size_t t = 0;
        for (std::size_t j = 0; j < n; ++j) t += count(i, j);
        return t;
      }());
      std::size_t off = 0;
      for (std::size_t j = 0; j < me; ++j) off += count(i, j);
      expect.insert(expect.end(), x.begin() + static_cast<std::ptrdiff_t>(off),
                    x.begin() + static_cast<std::ptrdiff_t>(off + count(i, me)));
    }
    std::vector<T> recv(sum(rc));
    g.all_to_all(std::span<T const>(send), sc, std::span<T>(recv), rc);
    c.check(recv == expect, where + "all_to_all" + (even ? " even" : " uneven"));
  }

  // broadcast from every root.
  for (std::size_t root = 0; root < n; ++root) {
    auto data = gen<T>(seed + 4, me, root, 33);
    g.broadcast(std::span<T>(data), root);
    c.check(data == gen<T>(seed + 4, root, root, 33), where + "broadcast from root " + std::to_string(root));
  }
  g.barrier();
}

// ---------------------------------------------------------------------------------------------
// Each rank's own arguments are checked without the agreement check: every rank passes the same
// bad arguments here, so every rank throws before entering MPI.

void local_checks(checker& c, communicator& g, bool checked) {
  std::size_t const n = g.size(), me = checked ? 0 : g.rank();  // checked: every rank reports rank 0's error
  auto const counts = std::vector<std::size_t>(n, 4);
  std::vector<float> in(3), out(4 * n), big(8 * n);
  c.expect_throw<spmd::comm_error>([&] { g.all_gather(std::span<float const>(in), std::span<float>(out), counts); },
                                   "all_gather on group '" + std::string(g.name()) + "': rank " + std::to_string(me) +
                                       (g.world_ranks()[me] != me
                                            ? " (world rank " + std::to_string(g.world_ranks()[me]) + ")"
                                            : "") +
                                       " passed 3 elements, counts say 4",
                                   "all_gather: block size against counts");
  c.expect_throw<spmd::comm_error>(
      [&] {
        std::vector<std::size_t> const wrong(n + 1, 1);
        g.reduce_scatter_sum(std::span<float const>(big), std::span<float>(in), wrong);
      },
      "counts for a group of " + std::to_string(n) + " ranks", "reduce_scatter_sum: counts of the wrong length");
  c.expect_throw<spmd::comm_error>(
      [&] {
        std::vector<std::size_t> huge(n, 1);
        huge[0] = std::size_t{1} << 31;
        g.all_gather(std::span<float const>(in.data(), g.rank() == 0 ? 0 : 1), std::span<float>(out), huge);
      },
      "exceeds INT_MAX (2147483647) elements", "all_gather: counts above INT_MAX");
  c.expect_throw<spmd::comm_error>(
      [&] {
        std::vector<std::size_t> huge(n, std::size_t{1} << 30);
        g.reduce_scatter_sum(std::span<float const>(big), std::span<float>(in), huge);
      },
      n > 1 ? "exceeds INT_MAX" : "output of 3 elements", "reduce_scatter_sum: a total above INT_MAX");
  c.expect_throw<spmd::comm_error>([&] { g.broadcast(std::span<float>(in), n + 2); },
                                   "root " + std::to_string(n + 2) + " is not a rank of the group",
                                   "broadcast: root out of range");
  c.expect_throw<spmd::comm_error>(
      [&] {
        std::vector<std::size_t> const ones(n, 1);
        g.all_to_all(std::span<float const>(big.data(), n), ones, std::span<float>(big.data() + n - 1, n), ones);
      },
      "send and recv buffers overlap", "all_to_all: overlapping buffers");
  if (n > 1)
    c.expect_throw<spmd::comm_error>(
        [&] {
          std::vector<std::size_t> const ones(n, 1);
          std::size_t const not_mine = (g.rank() + 1) % n;  // overlaps the output, but not at this rank's block
          g.all_gather(std::span<float const>(big.data() + not_mine, 1), std::span<float>(big.data(), n), ones);
        },
        "input overlaps its output", "all_gather: overlapping, not in place");
  // The group still works.
  std::vector<float> one{1.0f};
  g.all_reduce_sum(std::span<float>(one));
  c.check(one[0] == static_cast<float>(n), "the group works after caught argument errors");
}

// MPI's own errors become comm_error with MPI's error string (the communicators return errors).
void mpi_errors(checker& c, communicator& g) {
  float x = 0;
  c.expect_throw<spmd::comm_error>(
      [&] {
        spmd::mpi::detail::check(MPI_Allreduce(MPI_IN_PLACE, &x, -1, MPI_FLOAT, MPI_SUM, g.native()), "MPI_Allreduce",
                                 [] { return std::string("a test"); });
      },
      "spmd: a test: MPI_Allreduce failed: MPI_ERR_COUNT", "an MPI error code becomes comm_error");
}

// ---------------------------------------------------------------------------------------------
// The agreement check: one rank disagrees, every rank of the group throws the same comm_error.

void agreement(checker& c, communicator& g) {
  std::size_t const n = g.size(), me = g.rank();
  std::string const grp = "on group '" + std::string(g.name()) + "'";
  auto const label = [&](std::size_t s) {
    std::string out = "rank " + std::to_string(s);
    if (g.world_ranks()[s] != s) out += " (world rank " + std::to_string(g.world_ranks()[s]) + ")";
    return out;
  };
  auto const expect = [&](auto&& fn, std::string const& msg, std::string const& what, std::size_t at_fault = 1) {
    try {
      fn();
      c.check(false, what + ": did not throw");
    } catch (spmd::comm_error const& e) {
      c.check(std::string(e.what()).find(msg) != std::string::npos,
              what + ": message '" + e.what() + "' lacks '" + msg + "'");
      c.check(e.why() == spmd::comm_error::reason::mismatch, what + ": reason is mismatch");
      c.check(e.rank() == g.world_ranks()[at_fault], what + ": rank() is the world rank of the rank at fault");
    }
    std::vector<double> one{1.0};  // the group still works, on every rank
    g.all_reduce_sum(std::span<double>(one));
    c.check(one[0] == static_cast<double>(n), what + ": the group works afterwards");
  };
  std::vector<float> f(4);
  std::vector<double> d(4);
  expect(
      [&] {
        if (me == 1)
          g.barrier();
        else
          g.all_reduce_sum(std::span<float>(f));
      },
      "spmd: collective mismatch " + grp + ": " + label(0) + " called all_reduce_sum(float) but " + label(1) +
          " called barrier",
      "different collectives");
  expect(
      [&] {
        if (me == 1)
          g.all_reduce_sum(std::span<double>(d));
        else
          g.all_reduce_sum(std::span<float>(f));
      },
      "called all_reduce_sum(float) but " + label(1) + " called all_reduce_sum(double)", "different element types");
  expect([&] { g.all_reduce_sum(std::span<float>(f.data(), me == 1 ? 3 : 4)); },
         "all_reduce_sum " + grp + ": " + label(1) + " passed 3 elements, " + label(0) + " passed 4",
         "all_reduce_sum sizes");
  expect(
      [&] {
        auto counts = std::vector<std::size_t>(n, 2);
        if (me == 1) counts[0] = 1, counts[1] = 3;
        std::vector<float> in(2 * n), out(counts[me]);
        g.reduce_scatter_sum(std::span<float const>(in), std::span<float>(out), counts);
      },
      "reduce_scatter_sum " + grp + ": " + label(1) + " passed counts [1, 3", "reduce_scatter_sum counts");
  expect(
      [&] {
        auto const counts = std::vector<std::size_t>(n, 2);
        std::vector<float> in(me == 1 ? 3 : 2), out(2 * n);
        g.all_gather(std::span<float const>(in), std::span<float>(out), counts);
      },
      "all_gather " + grp + ": " + label(1) + " passed 3 elements, counts say 2",
      "one rank's own bad argument, reported on every rank");
  expect([&] { g.broadcast(std::span<float>(f), me == 1 ? 1 : 0); },
         "broadcast " + grp + ": " + label(1) + " passed root 1, " + label(0) + " passed root 0", "broadcast roots");
  expect([&] { g.broadcast(std::span<float>(f.data(), me == 1 ? 2 : 4), 0); },
         "broadcast " + grp + ": " + label(1) + " passed 2 elements, the root (" + label(0) + ") passed 4",
         "broadcast sizes");
  expect(
      [&] {
        std::vector<std::size_t> sc(n, 1), rc(n, 1);
        if (me == 1) rc[0] = 2;  // rank 1 expects 2 elements from rank 0, which sends 1
        std::vector<float> send(n), recv(me == 1 ? n + 1 : n);
        g.all_to_all(std::span<float const>(send), sc, std::span<float>(recv), rc);
      },
      "all_to_all " + grp + ": " + label(0) + " sends 1 elements to " + label(1) + ", which expects 2",
      "all_to_all counts that do not pair up", 0);
}

}  // namespace

int main(int argc, char** argv) {
  spmd::mpi::environment env(argc, argv);
  checker c("mpi.runtime");
  std::size_t const world = env.world_size();
  std::size_t const dp = world % 2 == 0 && world > 2 ? 2 : 1, tp = world / dp;
  spmd_mpi_tests::mesh_t const mesh{{"dp", dp}, {"tp", tp}, {"pp", 1}};

  spmd::mpi::options unchecked;
  unchecked.check_agreement = false;
  spmd::mpi::run(
      mesh,
      [&](rank& r) {
        mesh_view(c, r, dp, tp);
        unsigned seed = 1;
        for (communicator* g :
             {&r.comm("tp"), &r.comm("dp"), &r.comm("pp"), &r.comm({"dp", "tp"}), &r.comm({"dp", "tp", "pp"})}) {
          values<float>(c, *g, seed);
          values<double>(c, *g, seed + 100);
          seed += 10;
          local_checks(c, *g, false);
        }
        mpi_errors(c, r.comm("tp"));
      },
      unchecked);

  spmd::mpi::options checked;
  checked.check_agreement = true;
  spmd::mpi::run(
      mesh,
      [&](rank& r) {
        for (communicator* g : {&r.comm("tp"), &r.comm("dp"), &r.comm({"tp", "dp"})})
          if (g->size() > 1) agreement(c, *g);
        // With the check on, correct calls give the same values.
        values<float>(c, r.comm({"dp", "tp"}), 7);
        local_checks(c, r.comm("tp"), true);
      },
      checked);
  return c.report();
}
