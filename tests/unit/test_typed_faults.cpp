// The typed collectives on the threads runtime under faults that no type can catch (bodies in
// tests/common/typed_faults.hpp): every rank of the group must throw the same error, naming the
// rank at fault and what differs, where without the checks the data would be silently wrong.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <spmd/runtime/threads.hpp>

#include "../common/run_bounded.hpp"
#include "../common/typed_faults.hpp"

using spmd::comm_error;
using spmd::threads::rank;
using spmd_tests::run_bounded;
using spmd_tests::what_of;
namespace faults = spmd_tests::typed_faults;

namespace {

/// Runs `body` on every rank of `mesh`; returns each rank's comm_error message ("" if none).
template <class Body>
std::vector<std::string> messages_of(spmd_tests::mesh_t const& mesh, std::size_t ranks, Body body) {
  std::vector<std::string> out(ranks);
  std::mutex m;
  auto const ex = run_bounded(mesh, [&](rank& r) {
    try {
      body(r);
    } catch (comm_error const& e) {
      std::lock_guard<std::mutex> lk(m);
      out[r.index()] = e.what();
    }
  });
  REQUIRE_FALSE(ex);
  return out;
}

}  // namespace

TEST_CASE("typed faults: local shapes that differ with the same element count", "[threads][faults][comm]") {
  SECTION("all_reduce of [3, 2] on rank 1 and [2, 3] on the others") {
    for (auto const& m : messages_of({{"x", 3}}, 3, [](rank& r) { faults::transposed_all_reduce(r); })) {
      CHECK(m ==
            "spmd: all_reduce_sum on group 'x': rank 1 (x=1) holds a local tensor of shape [3, 2], rank 0 (x=0) "
            "holds [2, 3]; the ranks of a group must hold the same shape");
    }
  }
  SECTION("all_gather along dim 0 of [3, 2] and [2, 3]: the counts agree, the shapes do not") {
    for (auto const& m : messages_of({{"x", 2}}, 2, [](rank& r) { faults::transposed_all_gather(r); })) {
      CHECK(m ==
            "spmd: all_gather on group 'x': rank 1 (x=1) holds a local tensor of shape [3, 2], rank 0 (x=0) "
            "holds [2, 3]; the ranks of a group must hold the same shape except along dim 0 (the split dim)");
    }
  }
}

TEST_CASE("typed faults: a convert to an uneven shard with split sizes that differ between ranks",
          "[threads][faults][comm]") {
  for (auto const& m : messages_of({{"x", 2}}, 2, [](rank& r) { faults::inconsistent_convert(r); })) {
    CHECK(m ==
          "spmd: convert on group 'x': rank 1 (x=1) passed split sizes [2, 2] along dim 0, rank 0 (x=0) passed "
          "[3, 1]");
  }
}

TEST_CASE("typed faults: a runtime mesh in another axis order than the type's", "[threads][faults][comm]") {
  std::string const expect =
      "spmd: the runtime mesh orders the axes tp, dp but the tensors' mesh type orders them dp, tp";
  SECTION("rejected before the first collective") {
    std::atomic<int> reached{0};
    auto const ex = run_bounded({{"tp", 2}, {"dp", 2}}, [&](rank& r) {
      faults::flattened_all_gather(r);
      ++reached;
    });
    CHECK(reached == 0);
    CHECK_THROWS_AS(std::rethrow_exception(ex), std::invalid_argument);
    CHECK(what_of(ex).starts_with(expect));
    CHECK(what_of(ex).find("{{\"dp\", ...}, {\"tp\", ...}}") != std::string::npos);
  }
  SECTION("a mesh with more axes is fine when the type's axes keep their order") {
    std::atomic<int> done{0};
    auto const ex = run_bounded({{"dp", 2}, {"pp", 1}, {"tp", 2}}, [&](rank& r) {
      faults::flattened_all_gather(r);
      ++done;
    });
    CHECK_FALSE(ex);
    CHECK(done == 4);
  }
}
