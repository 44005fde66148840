// Faults of the c10d runtime that must end every rank with a clear message within a bounded
// time (run under tests/mpi/expect_failure.sh), or that run() must reject on every rank (checked
// here, exit 0 iff so):
//   c10d_faults throw           rank 1 throws; the others wait in all_reduce_sum
//   c10d_faults throw0          rank 0 (which serves the TCPStore under --tcp) throws
//   c10d_faults finish          rank 1 returns early; the others wait in all_reduce_sum
//   c10d_faults exit            rank 1 exits the process (status 0); the others wait
//   c10d_faults deadlock        rank 0 waits in barrier, rank 1 in all_reduce_sum (SPMD_DIST_TIMEOUT)
//   c10d_faults groups          ranks that create the flattened groups "a,b" and "b,c" in opposite
//                               orders (SPMD_DIST_TIMEOUT ends the job)
//   c10d_faults shapes          typed all_reduce of [3, 2] and [2, 3] (SPMD_DIST_CHECK=1)
//   c10d_faults convert         convert to S<0> with split sizes {3, 1} and {2, 2} (SPMD_DIST_CHECK=1)
//   c10d_faults sizes           all_reduce_sum of 4 and 6 elements, unchecked: Gloo ends the processes
//   c10d_faults mesh_mismatch   a mesh of WORLD_SIZE + 1 ranks
//   c10d_faults mesh_differs    rank 1 passes its axes in another order
//   c10d_faults bad_timeout     SPMD_DIST_TIMEOUT=abc, and options::timeout_seconds = -1
//   c10d_faults single          no launcher variables: a mesh of one rank runs in this process
//   c10d_faults healthy         a healthy all_reduce_sum (prints PASSED)
#include <cstdio>
#include <cstdlib>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <spmd/runtime/c10d.hpp>

#include "../../common/typed_faults.hpp"

namespace faults = spmd_tests::typed_faults;
using spmd::dist::rank;
using mesh_t = std::vector<std::pair<std::string, std::size_t>>;

namespace {

std::size_t world_size() {
  char const* ws = std::getenv("WORLD_SIZE");
  return ws != nullptr ? static_cast<std::size_t>(std::atoi(ws)) : 1;
}

template <class F>
int expect_invalid_argument(char const* mode, F const& start, std::string const& expect) {
  try {
    start();
  } catch (std::invalid_argument const& e) {
    bool const ok = std::string(e.what()).find(expect) != std::string::npos;
    std::printf("torch.c10d.faults %s: %s: %s\n", mode, ok ? "PASSED" : "FAILED", e.what());
    return ok ? 0 : 1;
  }
  std::printf("torch.c10d.faults %s: FAILED: no exception\n", mode);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view const mode = argc > 1 ? argv[1] : "";
  std::size_t const n = world_size();
  auto const waits_for_rank_1 = [&](rank& r) {
    std::vector<double> v(1000, 1.0);
    r.comm("x").all_reduce_sum(std::span<double>(v));  // everyone is up
    if (mode == "throw0" && r.index() == 0) throw std::runtime_error("boom: rank 0 gave up");
    if (r.index() == 1 && mode != "throw0") {
      if (mode == "finish") return;
      if (mode == "exit") std::exit(0);
      throw std::runtime_error("boom: rank 1 gave up");
    }
    r.comm("x").all_reduce_sum(std::span<double>(v));  // waits for rank 1 forever
    std::printf("rank %zu: the second all_reduce_sum completed without a rank (bug)\n", r.index());
  };
  if (mode == "throw" || mode == "throw0" || mode == "finish" || mode == "exit") {
    spmd::dist::run({{"x", n}}, waits_for_rank_1);
  } else if (mode == "deadlock") {
    spmd::dist::run({{"x", n}}, [](rank& r) {
      std::vector<float> v(10, 1.0f);
      if (r.index() == 0)
        r.comm("x").barrier();
      else
        r.comm("x").all_reduce_sum(std::span<float>(v));
    });
  } else if (mode == "groups") {
    spmd::dist::run({{"a", 2}, {"b", n / 2}, {"c", 1}}, [](rank& r) {
      if (r.index() == 0) {
        (void)r.comm({"b", "c"});
        (void)r.comm({"a", "b"});
      } else {
        (void)r.comm({"a", "b"});
        (void)r.comm({"b", "c"});
      }
    });
  } else if (mode == "shapes") {
    spmd::dist::run({{"x", n}}, [](rank& r) { faults::transposed_all_reduce(r); });
  } else if (mode == "convert") {
    spmd::dist::run({{"x", n}}, [](rank& r) { faults::inconsistent_convert(r); });
  } else if (mode == "sizes") {
    spmd::dist::run({{"x", n}}, [](rank& r) {
      std::vector<float> v(r.index() == 1 ? 4 : 6, 1.0f);
      r.comm("x").all_reduce_sum(std::span<float>(v));
    });
  } else if (mode == "mesh_mismatch") {
    return expect_invalid_argument(
        "mesh_mismatch",
        [&] {
          spmd::dist::run({{"x", n + 1}}, [](rank&) {});
        },
        "spmd: dist::run: the mesh {x: " + std::to_string(n + 1) + "} has " + std::to_string(n + 1) +
            " ranks but RANK/WORLD_SIZE say " + std::to_string(n) +
            " processes; start the program with "
            "scripts/torchrun.sh -n " +
            std::to_string(n + 1));
  } else if (mode == "mesh_differs") {
    char const* r = std::getenv("RANK");
    mesh_t mesh{{"dp", 1}, {"tp", 2}};
    if (r != nullptr && std::string_view(r) == "1") mesh = {{"tp", 2}, {"dp", 1}};
    int const rc = expect_invalid_argument(
        "mesh_differs", [&] { spmd::dist::run(mesh, [](rank&) {}); },
        "spmd: dist::run: the ranks were given different meshes: rank 0 {dp: 1, tp: 2}, rank 1 {tp: 2, dp: 1}");
    if (rc != 0) return rc;
    // The job goes on: a second run with the same mesh works.
    spmd::dist::run({{"x", n}}, [](rank& r) {
      std::vector<double> v(3, 1.0);
      r.comm("x").all_reduce_sum(std::span<double>(v));
      if (v[0] != static_cast<double>(r.world_size())) throw std::runtime_error("wrong sum after mesh_differs");
    });
    return 0;
  } else if (mode == "bad_timeout") {
    int const from_env = expect_invalid_argument(
        "bad_timeout",
        [&] {
          spmd::dist::run({{"x", n}}, [](rank&) {});
        },
        "spmd: SPMD_DIST_TIMEOUT='abc' is not a number of seconds");
    return from_env != 0 ? from_env
                         : expect_invalid_argument(
                               "bad_timeout (options)",
                               [&] {
                                 spmd::dist::run(
                                     {{"x", n}}, [](rank&) {}, spmd::dist::options{false, -1.0});
                               },
                               "spmd: dist::run: options::timeout_seconds is -1");
  } else if (mode == "healthy") {
    spmd::dist::run({{"x", n}}, [](rank& r) {
      std::vector<double> v(10, 1.0);
      r.comm("x").all_reduce_sum(std::span<double>(v));
      if (v[0] != static_cast<double>(r.comm("x").size())) throw std::runtime_error("wrong sum");
    });
    std::printf("torch.c10d.faults healthy: PASSED\n");
    return 0;
  } else if (mode == "single") {
    bool ok = false;
    spmd::dist::run({{"dp", 1}, {"tp", 1}}, [&](rank& r) {
      std::vector<float> v{1.0f, 2.0f}, out(2);
      r.comm("tp").all_reduce_sum(std::span<float>(v));
      std::vector<std::size_t> const counts{2};
      r.comm({"dp", "tp"}).all_gather(std::span<float const>(v), std::span<float>(out), counts);
      ok = r.world_size() == 1 && out == v;
    });
    std::printf("torch.c10d.single: %s\n", ok ? "PASSED" : "FAILED");
    return ok ? 0 : 1;
  } else {
    std::fprintf(stderr,
                 "usage: c10d_faults throw|throw0|finish|exit|deadlock|groups|shapes|convert|sizes|mesh_mismatch|"
                 "mesh_differs|bad_timeout|healthy|single\n");
    return 2;
  }
  return 0;  // reaching this is the failure expect_failure.sh detects (exit 0)
}
