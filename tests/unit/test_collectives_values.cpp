// Forward values of the typed collectives, converts and reinterprets: what every rank must hold,
// on even and uneven splits; and faults in typed calls (mismatched split sizes).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <numeric>
#include <vector>

#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;

namespace {

using Mat = local::dense<double, 2>;
using M = mesh<"tp">;
template <class P>
using T = tensor<Mat, M, layout<P>>;

// The global matrix every test slices: G(i, j) = 1000 i + j.
double g(std::size_t i, std::size_t j) { return 1000.0 * static_cast<double>(i) + static_cast<double>(j); }

// Rows [r0, r0 + nr) and columns [c0, c0 + nc) of G.
Mat block(std::size_t r0, std::size_t nr, std::size_t c0, std::size_t nc) {
  Mat m({nr, nc});
  for (std::size_t i = 0; i < nr; ++i)
    for (std::size_t j = 0; j < nc; ++j) m(i, j) = g(r0 + i, c0 + j);
  return m;
}

std::size_t offset(std::vector<std::size_t> const& lens, std::size_t rank) {
  return std::accumulate(lens.begin(), lens.begin() + static_cast<std::ptrdiff_t>(rank), std::size_t{0});
}

// Runs fn on a mesh and counts the ranks whose check failed (Catch macros are not thread-safe).
template <class F>
int failures_on(std::vector<std::pair<std::string, std::size_t>> const& sizes, F fn) {
  std::atomic<int> bad{0};
  threads::run(sizes, [&](threads::rank& r) {
    if (!fn(r)) ++bad;
  });
  return bad.load();
}

}  // namespace

TEST_CASE("all_reduce sums pending sums; V is reduced as P", "[comm][values]") {
  for (std::size_t n : {1u, 2u, 3u, 4u}) {
    CHECK(failures_on({{"tp", n}}, [n](threads::rank& r) {
            std::size_t const me = r.coord("tp");
            Mat piece = block(me, 2, 0, 3);  // each rank's piece of the pending sum
            auto y = all_reduce<"tp", R>(r, T<P>{piece});
            auto z = all_reduce<"tp", V, I>(r, T<V>{piece});
            static_assert(std::is_same_v<decltype(y), T<R>> && std::is_same_v<decltype(z), T<I>>);
            for (std::size_t i = 0; i < 2; ++i)
              for (std::size_t j = 0; j < 3; ++j) {
                double expect = 0;
                for (std::size_t k = 0; k < n; ++k) expect += g(k + i, j);
                if (y.local()(i, j) != expect || z.local()(i, j) != expect) return false;
              }
            return true;
          }) == 0);
  }
}

TEST_CASE("reduce_scatter leaves each rank its chunk of the sum, even and uneven", "[comm][values]") {
  std::vector<std::size_t> const lens{1, 3, 2};
  CHECK(failures_on({{"tp", 3}}, [&](threads::rank& r) {
          std::size_t const me = r.coord("tp");
          // Each rank holds G scaled by (rank + 1); the sum is 6 G.
          Mat x = block(0, 4, 0, 6);
          for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] *= static_cast<double>(me + 1);
          auto cols = reduce_scatter<"tp", 1>(r, T<P>{x}, lens);
          auto rows = reduce_scatter<"tp", P, S<0>>(r, T<P>{block(0, 6, 0, 2)});
          static_assert(std::is_same_v<decltype(cols), T<S<1>>> && std::is_same_v<decltype(rows), T<S<0>>>);
          Mat expect_cols = block(0, 4, offset(lens, me), lens[me]);
          for (std::size_t i = 0; i < expect_cols.size(); ++i) expect_cols.data()[i] *= 6.0;
          Mat expect_rows = block(2 * me, 2, 0, 2);
          for (std::size_t i = 0; i < expect_rows.size(); ++i) expect_rows.data()[i] *= 3.0;
          return cols.local() == expect_cols && rows.local() == expect_rows;
        }) == 0);
}

TEST_CASE("all_gather concatenates shards along their dim, even and uneven", "[comm][values]") {
  std::vector<std::size_t> const lens{2, 1, 3, 1};
  CHECK(failures_on({{"tp", 4}}, [&](threads::rank& r) {
          std::size_t const me = r.coord("tp");
          auto cols = all_gather<"tp", R>(r, T<S<1>>{block(0, 3, offset(lens, me), lens[me])}, lens);
          auto rows = all_gather<"tp", I>(r, T<S<0>>{block(2 * me, 2, 0, 5)});
          auto plain = all_gather<"tp", R, 1>(r, T<V>{block(0, 2, 3 * me, 3)});
          static_assert(std::is_same_v<decltype(cols), T<R>> && std::is_same_v<decltype(rows), T<I>> &&
                        std::is_same_v<decltype(plain), T<R>>);
          return cols.local() == block(0, 3, 0, 7) && rows.local() == block(0, 8, 0, 5) &&
                 plain.local() == block(0, 2, 0, 12);
        }) == 0);
}

TEST_CASE("all_to_all moves the shard from one dim to another", "[comm][values]") {
  for (std::size_t n : {2u, 3u}) {
    CHECK(failures_on({{"tp", n}}, [n](threads::rank& r) {
            std::size_t const me = r.coord("tp");
            // G is (2n x 3n); rank i holds rows [2i, 2i + 2) and must end with columns [3i, 3i + 3).
            auto x = T<S<0>>{block(2 * me, 2, 0, 3 * n)};
            auto y = all_to_all<"tp", S<1>>(r, x);
            auto back = all_to_all<"tp", S<1>, S<0>>(r, y);
            static_assert(std::is_same_v<decltype(y), T<S<1>>>);
            return y.local() == block(0, 2 * n, 3 * me, 3) && back.local() == x.local();
          }) == 0);
  }
}

TEST_CASE("convert keeps the meaning: chunks, zeros on all ranks but 0, shards in zeros", "[comm][values]") {
  CHECK(failures_on({{"tp", 3}}, [](threads::rank& r) {
          std::size_t const me = r.coord("tp");
          Mat const whole = block(0, 6, 0, 3);
          auto shard = convert<"tp", R, S<0>>(r, T<R>{whole});
          auto ishard = convert<"tp", I, S<1>>(r, T<I>{block(0, 2, 0, 6)});
          auto partial = convert<"tp", R, P>(r, T<R>{whole});
          auto ipartial = convert<"tp", I, P>(r, T<I>{whole}, expert);
          auto placed = convert<"tp", S<0>, P>(r, T<S<0>>{block(2 * me, 2, 0, 3)}, expert);
          auto entered = convert<"tp", I, R>(r, T<I>{whole});
          auto annotated = convert<"tp", V, S<0>>(r, T<V>{whole});
          Mat const zeros({6, 3}, 0.0);
          Mat expect_placed = zeros;
          for (std::size_t i = 0; i < 2; ++i)
            for (std::size_t j = 0; j < 3; ++j) expect_placed(2 * me + i, j) = g(2 * me + i, j);
          return shard.local() == block(2 * me, 2, 0, 3) && ishard.local() == block(0, 2, 2 * me, 2) &&
                 partial.local() == (me == 0 ? whole : zeros) && ipartial.local() == (me == 0 ? whole : zeros) &&
                 placed.local() == expect_placed && entered.local() == whole && annotated.local() == whole;
        }) == 0);
}

TEST_CASE("reinterpret keeps the data and changes only the type", "[comm][values]") {
  Mat const x = block(0, 2, 0, 2);
  auto p = reinterpret<"tp", V, P>(T<V>{x});
  auto v = reinterpret<"tp", I, V>(T<I>{x});
  auto rp = reinterpret<"tp", R, P>(T<R>{x}, expert);
  STATIC_REQUIRE(std::is_same_v<decltype(p), T<P>>);
  STATIC_REQUIRE(std::is_same_v<decltype(v), T<V>>);
  STATIC_REQUIRE(std::is_same_v<decltype(rp), T<P>>);
  CHECK((p.local() == x && v.local() == x && rp.local() == x));
}

TEST_CASE("a collective over two flattened axes orders ranks row-major in mesh order", "[comm][values]") {
  using M2 = mesh<"dp", "tp">;
  using X = tensor<Mat, M2, layout<S<0>, S<0>>>;
  CHECK(failures_on({{"dp", 2}, {"tp", 3}}, [](threads::rank& r) {
          std::size_t const flat = r.coord("dp") * 3 + r.coord("tp");
          auto whole = all_gather<"dp,tp", R>(r, X{block(flat, 1, 0, 2)});
          static_assert(std::is_same_v<decltype(whole), tensor<Mat, M2, layout<R, R>>>);
          return whole.local() == block(0, 6, 0, 2);
        }) == 0);
}

TEST_CASE("wrong split sizes end every rank's collective with comm_error, no hang", "[comm][faults]") {
  std::atomic<int> comm_errors{0};
  auto fut = std::async(std::launch::async, [&] {
    try {
      threads::run({{"tp", 3}}, [&](threads::rank& r) {
        std::size_t const me = r.coord("tp");
        // Rank 1 disagrees about the split: it claims the extents {2, 2, 2}, the others {1, 2, 3}.
        std::vector<std::size_t> const lens = me == 1 ? std::vector<std::size_t>{2, 2, 2} : std::vector<std::size_t>{1, 2, 3};
        try {
          auto y = all_gather<"tp", R>(r, T<S<0>>{block(0, me + 1, 0, 2)}, lens);
          (void)y;
        } catch (comm_error const&) {
          ++comm_errors;
          throw;
        }
      });
    } catch (comm_error const&) {
      return true;
    }
    return false;
  });
  REQUIRE(fut.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  CHECK(fut.get());
  CHECK(comm_errors.load() == 3);
}

TEST_CASE("an extent that does not split evenly asks for split sizes", "[comm][faults]") {
  auto fut = std::async(std::launch::async, [] {
    try {
      threads::run({{"tp", 2}}, [](threads::rank& r) { (void)reduce_scatter<"tp", 0>(r, T<P>{block(0, 3, 0, 2)}); });
    } catch (comm_error const& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  });
  REQUIRE(fut.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  CHECK_THAT(fut.get(), Catch::Contains("does not split evenly over 2 ranks; pass the per-rank split sizes"));
}
