// The c10d runtime (spmd::dist) on 2, 3 or 4 processes started by scripts/torchrun.sh: the
// untyped collectives on float and double (uneven counts with zeros, in place, every root) on
// every group, and the shared bodies of the threads and MPI tests (tests/common/): the typed
// collectives' forward values, converts and redistributions, and the adjoint test
// <y, f(x)> == <f_bwd(y), x> of every collective.
//   torchrun.sh -n N c10d_collectives untyped      a (dp, tp) mesh: dp = 2 if N is 4, else 1
//   torchrun.sh -n N c10d_collectives values       one axis "tp" of size N
//   torchrun.sh -n 4 c10d_collectives values 2x2   (dp, tp) = 2x2, plus the flattened group
//   torchrun.sh -n N c10d_collectives adjoint      one axis "x" of size N
//   torchrun.sh -n 4 c10d_collectives adjoint 2x2  axes tp, dp and both flattened
#include <cstddef>
#include <cstdlib>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// The shared bodies first: <spmd/runtime/c10d.hpp> must not depend on coming before the core
// headers (which declare a class template spmd::at, next to ATen's namespace at).
#include "../../common/collective_data.hpp"
#include "../../common/collectives_adjoint.hpp"
#include "../../common/collectives_values.hpp"
#include "../../common/redistribute_values.hpp"
#include "dist_test.hpp"

#include <spmd/runtime/c10d.hpp>

using spmd::dist::communicator;
using spmd::dist::rank;
using spmd_dist_tests::checker;
using spmd_dist_tests::mesh_t;
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

void untyped(checker& c, std::size_t world) {
  std::size_t const dp = world == 4 ? 2 : 1, tp = world / dp;
  spmd::dist::run({{"dp", dp}, {"tp", tp}, {"pp", 1}}, [&](rank& r) {
    c.set_rank(r.index());
    c.check(spmd::dist::launch_rank() == r.index() && spmd::dist::launch_world_size() == world,
            "launch_rank(), launch_world_size()");
    c.check(r.world_size() == world && r.coord("dp") == r.index() / tp && r.coord("tp") == r.index() % tp,
            "coordinates are row-major in mesh order");
    communicator& t = r.comm("tp");
    c.check(t.size() == tp && t.rank() == r.coord("tp") && t.name() == "tp", "comm(\"tp\"): size, rank, name");
    communicator& f = r.comm({"tp", "dp"});
    c.check(&f == &r.comm({"dp", "tp"}) && f.size() == world && f.rank() == r.index() && f.name() == "dp,tp",
            "flattened group: cached, rank row-major in mesh order, name in mesh order");
    c.expect_throw<std::invalid_argument>([&] { (void)r.comm("xx"); }, "the mesh has no axis 'xx'", "unknown axis");
    for (communicator* g : {&r.comm("tp"), &r.comm("dp"), &r.comm("pp"), &f}) {
      values<float>(c, *g, 11);
      values<double>(c, *g, 12);
    }
    // Each rank's own arguments are checked (the same bad call on every rank).
    std::vector<float> in(3), out(4 * tp);
    c.expect_throw<spmd::comm_error>(
        [&] { t.all_gather(std::span<float const>(in), std::span<float>(out), std::vector<std::size_t>(tp, 4)); },
        "all_gather on group 'tp': rank " + std::to_string(t.rank()), "all_gather: block size against counts");
    c.expect_throw<spmd::comm_error>([&] { t.broadcast(std::span<float>(in), tp); }, "is not a rank of the group",
                                     "broadcast: root out of range");
  });
}

std::vector<std::size_t> lens_from(std::vector<std::size_t> const& pattern, std::size_t n) {
  std::vector<std::size_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = pattern[i % pattern.size()];
  return out;
}

namespace v = spmd_tests::values;

void forward_values(checker& c, mesh_t const& mesh) {
  spmd::dist::run(mesh, [&](rank& r) {
    c.set_rank(r.index());
    std::size_t const n = r.axis_size("tp");
    c.check(v::all_reduce_ok(r), "all_reduce");
    c.check(v::reduce_scatter_ok(r, lens_from({1, 3, 2}, n)), "reduce_scatter");
    c.check(v::all_gather_ok(r, lens_from({2, 1, 3, 1}, n)), "all_gather");
    c.check(v::into_ok(r, lens_from({2, 1, 3}, n)), "all_gather_into / reduce_scatter_into");
    c.check(v::all_to_all_ok(r), "all_to_all");
    c.check(v::convert_ok(r), "convert");
    c.check(v::reinterpret_ok(), "reinterpret");
  });
}

void typed_faults(checker& c, mesh_t const& mesh) {
  spmd::dist::run(mesh, [&](rank& r) {
    std::string const n = std::to_string(r.axis_size("tp"));
    c.expect_throw<spmd::comm_error>([&] { v::reduce_scatter_uneven_without_sizes(r); },
                                     "does not split evenly over " + n + " ranks; pass the per-rank split sizes",
                                     "uneven extent without split sizes");
  });
  // Ranks that disagree: with the agreement check, comm_error on every rank, naming rank 1.
  spmd::dist::options checked;
  checked.check_agreement = true;
  spmd::dist::run(
      mesh,
      [&](rank& r) {
        c.expect_throw<spmd::comm_error>([&] { v::all_gather_with_disagreeing_split(r); }, "passed split sizes [2, 2",
                                         "disagreeing split sizes");
        c.expect_throw<spmd::comm_error>([&] { v::reduce_scatter_with_disagreeing_split(r); },
                                         v::reduce_scatter_with_disagreeing_split_message,
                                         "reduce_scatter: disagreeing split sizes");
        c.expect_throw<spmd::comm_error>([&] { v::all_gather_uneven_without_sizes(r); },
                                         v::all_gather_uneven_without_sizes_message,
                                         "all_gather: uneven shards without split sizes");
        c.expect_throw<spmd::comm_error>([&] { v::all_gather_other_dim_differs(r); },
                                         v::all_gather_other_dim_differs_message,
                                         "all_gather: shards that differ in another dim");
        c.expect_throw<spmd::comm_error>([&] { v::all_to_all_with_disagreeing_dst_split(r); },
                                         v::all_to_all_with_disagreeing_dst_split_message,
                                         "all_to_all: disagreeing dst split sizes");
        c.check(v::all_reduce_ok(r), "all_reduce after a caught mismatch");
      },
      checked);
}

void flattened_and_redistribute(checker& c, mesh_t const& mesh) {
  spmd::dist::run(mesh, [&](rank& r) {
    c.check(v::flattened_order_ok(r), "flattened (dp, tp) order");
    c.record(spmd_tests::redistribution::pairs, spmd_tests::redistribution::wrong_pairs(r),
             "redistribute: pairs of layouts with a wrong value");
    c.record(spmd_tests::redistribution::uneven_round_trips, spmd_tests::redistribution::wrong_uneven_round_trips(r),
             "redistribute with uneven split sizes: round trips with a wrong value");
  });
}

template <class Mesh, spmd::fixed_string Axes>
void adjoint(checker& c, mesh_t const& mesh) {
  spmd::dist::run(mesh, [&](rank& r) {
    c.set_rank(r.index());
    auto const counts = spmd_tests::adjoint_all_ops<Mesh, Axes>(r);
    std::string const where = "ops on axes '" + std::string(Axes.view()) + "'";
    c.check(counts.checked == spmd_tests::adjoint_ops_per_rank, where + ": not every op was checked");
    c.record(counts.checked, counts.failed, where + ": ops not adjoint to their backward");
    auto const uneven = spmd_tests::adjoint_uneven_ops<Mesh, Axes>(r);
    c.check(uneven.checked == spmd_tests::adjoint_uneven_ops_per_rank, where + ": not every uneven op was checked");
    c.record(uneven.checked, uneven.failed, where + ": ops with uneven split sizes not adjoint to their backward");
    auto const grads = spmd_tests::autograd_uneven_ops<Mesh, Axes>(r);
    c.check(grads.checked == spmd_tests::autograd_uneven_ops_per_rank,
            where + ": not every autograd op with uneven sizes was checked");
    c.record(grads.checked, grads.failed, where + ": autograd ops with uneven split sizes wrong");
  });
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view const mode = argc > 1 ? argv[1] : "";
  bool const grid = argc > 2 && std::string_view(argv[2]) == "2x2";
  char const* ws = std::getenv("WORLD_SIZE");
  std::size_t const world = ws != nullptr ? static_cast<std::size_t>(std::atoi(ws)) : 1;
  checker c("torch.c10d." + std::string(mode) + (grid ? "_2x2" : ""));
  if (mode == "untyped") {
    untyped(c, world);
  } else if (mode == "values") {
    mesh_t const mesh = grid ? mesh_t{{"dp", 2}, {"tp", 2}} : mesh_t{{"tp", world}};
    forward_values(c, mesh);
    typed_faults(c, mesh);
    flattened_and_redistribute(c, grid ? mesh : mesh_t{{"dp", 1}, {"tp", world}});
  } else if (mode == "adjoint") {
    if (grid) {
      using M = spmd::mesh<"dp", "tp">;
      mesh_t const mesh{{"dp", 2}, {"tp", 2}};
      adjoint<M, "tp">(c, mesh);
      adjoint<M, "dp">(c, mesh);
      adjoint<M, "dp,tp">(c, mesh);
    } else {
      adjoint<spmd::mesh<"x">, "x">(c, {{"x", world}});
    }
  } else {
    std::fprintf(stderr, "usage: c10d_collectives untyped|values|adjoint [2x2]\n");
    return 2;
  }
  return c.report();
}
