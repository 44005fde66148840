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
