// Forward values of the typed collectives, converts and reinterprets: what every rank must hold,
// on even and uneven splits; and faults in typed calls (mismatched split sizes).
// The rank-generic bodies are in tests/common/collectives_values.hpp (the MPI tests run them too).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <spmd/runtime/threads.hpp>

#include "../common/collectives_values.hpp"

using namespace spmd;
namespace v = spmd_tests::values;

namespace {

// Runs fn on a mesh and counts the ranks whose check failed (Catch macros are not thread-safe).
template <class F>
int failures_on(std::vector<std::pair<std::string, std::size_t>> const& sizes, F fn) {
  std::atomic<int> bad{0};
  threads::run(sizes, [&](threads::rank& r) {
    if (!fn(r)) ++bad;
  });
  return bad.load();
}

// Runs fn on a mesh (bounded in time) and returns the message of the comm_error run() rethrows.
template <class F>
std::string comm_error_of(std::vector<std::pair<std::string, std::size_t>> const& sizes, F fn) {
  auto fut = std::async(std::launch::async, [&] {
    try {
      threads::run(sizes, fn);
    } catch (comm_error const& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  });
  if (fut.wait_for(std::chrono::seconds(30)) != std::future_status::ready) return "hang";
  return fut.get();
}

}  // namespace

TEST_CASE("all_reduce sums pending sums; V is reduced as P", "[comm][values]") {
  for (std::size_t n : {1u, 2u, 3u, 4u})
    CHECK(failures_on({{"tp", n}}, [](threads::rank& r) { return v::all_reduce_ok(r); }) == 0);
}

TEST_CASE("reduce_scatter leaves each rank its chunk of the sum, even and uneven", "[comm][values]") {
  std::vector<std::size_t> const lens{1, 3, 2};
  CHECK(failures_on({{"tp", 3}}, [&](threads::rank& r) { return v::reduce_scatter_ok(r, lens); }) == 0);
}

TEST_CASE("all_gather concatenates shards along their dim, even and uneven", "[comm][values]") {
  std::vector<std::size_t> const lens{2, 1, 3, 1};
  CHECK(failures_on({{"tp", 4}}, [&](threads::rank& r) { return v::all_gather_ok(r, lens); }) == 0);
}

TEST_CASE("all_gather_into and reduce_scatter_into fill a tensor of the result's type in place", "[comm][values]") {
  std::vector<std::size_t> const lens{2, 1, 3};
  CHECK(failures_on({{"tp", 3}}, [&](threads::rank& r) { return v::into_ok(r, lens); }) == 0);
  CHECK(failures_on({{"tp", 1}}, [&](threads::rank& r) { return v::into_ok(r, {4}); }) == 0);
}

TEST_CASE("all_to_all moves the shard from one dim to another", "[comm][values]") {
  for (std::size_t n : {2u, 3u})
    CHECK(failures_on({{"tp", n}}, [](threads::rank& r) { return v::all_to_all_ok(r); }) == 0);
}

TEST_CASE("convert keeps the meaning: chunks, zeros on all ranks but 0, shards in zeros", "[comm][values]") {
  CHECK(failures_on({{"tp", 3}}, [](threads::rank& r) { return v::convert_ok(r); }) == 0);
}

TEST_CASE("reinterpret keeps the data and changes only the type", "[comm][values]") {
  using v::Mat;
  using v::T;
  STATIC_REQUIRE(std::is_same_v<decltype(reinterpret<"tp", V, P>(T<V>{Mat{}})), T<P>>);
  STATIC_REQUIRE(std::is_same_v<decltype(reinterpret<"tp", I, V>(T<I>{Mat{}})), T<V>>);
  STATIC_REQUIRE(std::is_same_v<decltype(reinterpret<"tp", R, P>(T<R>{Mat{}}, expert)), T<P>>);
  CHECK(v::reinterpret_ok());  // the data (the body also static_asserts the types)
}

TEST_CASE("a collective over two flattened axes orders ranks row-major in mesh order", "[comm][values]") {
  CHECK(failures_on({{"dp", 2}, {"tp", 3}}, [](threads::rank& r) { return v::flattened_order_ok(r); }) == 0);
}

TEST_CASE("wrong split sizes end every rank's collective with comm_error, no hang", "[comm][faults]") {
  std::atomic<int> comm_errors{0};
  auto fut = std::async(std::launch::async, [&] {
    try {
      threads::run({{"tp", 3}}, [&](threads::rank& r) {
        // Rank 1 disagrees about the split: it claims the extents {2, 2, 2}, the others {1, 2, 3}.
        try {
          v::all_gather_with_disagreeing_split(r);
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
      threads::run({{"tp", 2}}, [](threads::rank& r) { v::reduce_scatter_uneven_without_sizes(r); });
    } catch (comm_error const& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  });
  REQUIRE(fut.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  CHECK_THAT(fut.get(), Catch::Contains("does not split evenly over 2 ranks; pass the per-rank split sizes"));
}

TEST_CASE("an output tensor of the wrong shape is refused before communicating", "[comm][faults]") {
  auto fut = std::async(std::launch::async, [] {
    try {
      threads::run({{"tp", 2}}, [](threads::rank& r) { v::all_gather_into_wrong_shape(r); });
    } catch (std::invalid_argument const& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  });
  REQUIRE(fut.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  CHECK(fut.get() == "spmd: all_gather_into on 'tp': the output tensor has shape [3, 3], the result has shape [4, 3]");
}

TEST_CASE("split sizes that disagree are reported as split sizes along the split dim, not element counts",
          "[comm][faults][uneven]") {
  using Catch::Contains;
  // all_gather: rank 1 passes {2, 2, 2}, the others {1, 2, 3} (2 columns: 4 elements per block).
  REQUIRE_THAT(comm_error_of({{"tp", 3}}, [](threads::rank& r) { v::all_gather_with_disagreeing_split(r); }),
               Contains("spmd: all_gather on group 'tp': rank 1 (tp=1) passed split sizes [2, 2, 2] along dim 0, "
                        "rank 0 (tp=0) passed [1, 2, 3]"));
  REQUIRE_THAT(comm_error_of({{"tp", 2}}, [](threads::rank& r) { v::reduce_scatter_with_disagreeing_split(r); }),
               Contains("spmd: reduce_scatter_sum on group 'tp': rank 1 (tp=1) passed split sizes [2, 2] along dim "
                        "0, rank 0 (tp=0) passed [3, 1]"));
  REQUIRE_THAT(comm_error_of({{"tp", 3}}, [](threads::rank& r) { v::reduce_scatter_with_disagreeing_split(r); }),
               Contains(std::string("rank 1 (tp=1) ") + v::reduce_scatter_with_disagreeing_split_message));
  REQUIRE_THAT(comm_error_of({{"tp", 2}}, [](threads::rank& r) { v::all_gather_uneven_without_sizes(r); }),
               Contains("rank 1 (tp=1) passed no split sizes (so [2, 2] along dim 0), rank 0 (tp=0) passed none "
                        "(so [3, 3]); uneven shards need the same split sizes on every rank"));
  REQUIRE_THAT(comm_error_of({{"tp", 2}}, [](threads::rank& r) { v::all_gather_other_dim_differs(r); }),
               Contains(std::string("spmd: all_gather on group 'tp': rank 1 (tp=1) ") +
                        v::all_gather_other_dim_differs_message +
                        ") holds [2, 3]; the ranks of a group must hold "
                        "the same shape except along dim 0 (the split dim)"));
  REQUIRE_THAT(comm_error_of({{"tp", 2}}, [](threads::rank& r) { v::all_to_all_with_disagreeing_dst_split(r); }),
               Contains("spmd: all_to_all on group 'tp': rank 1 (tp=1) passed dst split sizes [1, 3] along dim 1, "
                        "rank 0 (tp=0) passed [2, 2]"));
  // Thrown by the rank whose own entry is wrong, before communicating.
  REQUIRE_THAT(comm_error_of({{"tp", 2}}, [](threads::rank& r) { v::all_gather_sizes_contradict_shard(r); }),
               Contains("spmd: all_gather on 'tp': split sizes [2, 2] along dim 0 say rank 1 (tp=1) holds 2, but it "
                        "holds 3"));
  // A group over two axes names the rank by its coordinates; a group rank that is not the world
  // rank says both.
  REQUIRE_THAT(comm_error_of({{"dp", 2}, {"tp", 2}},
                             [](threads::rank& r) {
                               using X = tensor<v::Mat, mesh<"dp", "tp">, layout<S<0>, S<0>>>;
                               std::size_t const flat = r.coord("dp") * 2 + r.coord("tp");
                               std::vector<std::size_t> lens{1, 1, 1, 1};
                               if (flat == 3) lens = {1, 1, 2, 0};
                               (void)all_gather<"dp,tp", R>(r, X{v::block(0, flat == 3 ? 0 : 1, 0, 2)}, lens);
                             }),
               Contains("rank 3 (dp=1, tp=1) passed split sizes [1, 1, 2, 0] along dim 0, rank 0 (dp=0, tp=0) "
                        "passed [1, 1, 1, 1]"));
  REQUIRE_THAT(comm_error_of({{"dp", 2}, {"tp", 2}},
                             [](threads::rank& r) {
                               if (r.coord("dp") == 1) v::all_gather_with_disagreeing_split(r);  // one tp group
                             }),
               Contains("rank 1 (tp=1, world rank 3) passed split sizes [2, 2] along dim 0, rank 0 (tp=0, world "
                        "rank 2) passed [1, 2]"));
}
