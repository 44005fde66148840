// The global view (docs/global.md): specs and their printing, block arithmetic, distribute /
// full_tensor round trips for every spec, redistribute plans and values, global ops against
// the serial ops, and the run-time checks, on the threads runtime with 2x2 and 2x3 meshes.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <spmd/runtime/threads.hpp>

#include "../common/global_values.hpp"

namespace gv = spmd_tests::global_values;
using namespace spmd;

namespace {

std::vector<std::pair<std::string, std::size_t>> const meshes[] = {{{"dp", 2}, {"tp", 2}}, {{"dp", 2}, {"tp", 3}}};

template <class F>
void on_each_mesh(F&& fn) {
  for (auto const& m : meshes) threads::run(m, fn);
}

template <class... Cases, std::size_t... Is>
void check_plans(gv::list<Cases...>, std::index_sequence<Is...>) {
  auto one = [](auto plan, std::string_view expected) { CHECK(fmt::format("{}", plan) == expected); };
  (one(global::plan_of<typename Cases::from, typename Cases::to>, gv::redistribute_plans[Is]), ...);
}

// Catch2 is not thread-safe: the ranks record what they saw, and the test's own thread checks it.
class rank_log {
 public:
  void check(bool ok, std::string const& what) {
    if (ok) return;
    std::lock_guard lock(mutex_);
    failures_.push_back(what);
  }
  // fn() must throw std::exception whose what() contains `expect`.
  template <class F>
  void throws(F&& fn, std::string_view expect, std::string const& what) {
    try {
      fn();
    } catch (std::exception const& e) {
      check(std::string_view(e.what()).find(expect) != std::string_view::npos, what + ": " + e.what());
      return;
    }
    check(false, what + ": did not throw");
  }
  void report() {
    for (auto const& f : failures_) UNSCOPED_INFO(f);
    CHECK(failures_.empty());
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> failures_;
};

}  // namespace

TEST_CASE("global: a spec prints with the global extents and the axes in order", "[global]") {
  using M3 = mesh<"dp", "tp", "cp">;
  using X = global_tensor<local::dense<float, 2>, M3, spec<on<"dp", "tp">, on<>, at<"cp", P>>>;
  CHECK(global::type_name<X>() == "f32[*@(dp,tp),*]{cp:P}");
  X const x{X::tensor_type{local::dense<float, 2>({2, 16})}, {8, 16}};
  CHECK(global::describe(x) == "f32[8@(dp,tp),16]{cp:P}");
  using Y = global_tensor<local::dense<double, 1>, M3, jax::partition_spec<on<"tp">>>;
  CHECK(global::type_name<Y>() == "f64[*@tp]{dp:I,cp:I}");
}

TEST_CASE("global: blocks of uneven extents, major axis first", "[global]") {
  std::size_t const sizes[] = {3, 2};
  std::vector<std::pair<std::size_t, std::size_t>> got;
  for (std::size_t a = 0; a < 3; ++a)
    for (std::size_t b = 0; b < 2; ++b) {
      std::size_t const coords[] = {a, b};
      auto const bl = global::block_of(8, sizes, coords);
      got.emplace_back(bl.offset, bl.length);
    }
  // 8 over 3: 3, 3, 2; each over 2: (2, 1), (2, 1), (1, 1).
  std::vector<std::pair<std::size_t, std::size_t>> const expected{{0, 2}, {2, 1}, {3, 2}, {5, 1}, {6, 1}, {7, 1}};
  CHECK(got == expected);
  CHECK(global::piece_lengths(7, 3) == std::vector<std::size_t>{3, 2, 2});
}

TEST_CASE("global: distribute then full_tensor gives the tensor back, for every spec", "[global][threads]") {
  int wrong = -1;
  on_each_mesh([&](threads::rank& r) {
    int const w = gv::wrong_round_trips(r);
    if (r.index() == 0) wrong = w;
  });
  CHECK(wrong == 0);
}

TEST_CASE("global: redistribute plans are the expected collectives", "[global]") {
  check_plans(gv::redistribute_cases{}, std::make_index_sequence<gv::redistribute_case_count>{});
}

TEST_CASE("global: redistribute keeps the global value, even and uneven", "[global][threads]") {
  int wrong = -1;
  on_each_mesh([&](threads::rank& r) {
    int const w = gv::wrong_redistributions(r);
    if (r.index() == 0) wrong = w;
  });
  CHECK(wrong == 0);
}

TEST_CASE("global: gradients through redistribute mean what the loss says", "[global][threads]") {
  int wrong = -1;
  on_each_mesh([&](threads::rank& r) {
    int const w = gv::wrong_gradients(r);
    if (r.index() == 0) wrong = w;
  });
  CHECK(wrong == 0);
}

TEST_CASE("global: ops on global tensors equal the serial ops on the full tensors", "[global][threads]") {
  int wrong = -1;
  on_each_mesh([&](threads::rank& r) {
    int const w = gv::wrong_ops(r);
    if (r.index() == 0) wrong = w;
  });
  CHECK(wrong == 0);
}

TEST_CASE("global: from_local and broadcasting check the global extents", "[global][threads]") {
  using X = gv::G<gv::Sdp_Rtp>;
  rank_log log;
  threads::run({{"dp", 2}, {"tp", 2}}, [&](threads::rank& r) {
    // 7 rows over dp = 2: blocks of 4 and 3.
    gv::Mat const piece({r.coord("dp") == 0 ? 3u : 4u, 5});
    log.throws(
        [&] {
          (void)global::from_local<X>(r, piece, {7, 5});
        },
        "along dim 0 where this rank's block of the global extent 7 has", "from_local");
    auto const x = distribute<X>(r, gv::matrix(7, 5));
    auto const b = distribute<gv::G<gv::Whole>>(r, gv::matrix(2, 5));  // extent 2: no broadcast
    log.throws([&] { (void)(x + b); }, "spmd: add: operand 1 is whole along dim 0 (global extent 2)", "x + b");
    // The same extent, whole in one operand and sharded in the other: no broadcast either.
    auto const w = distribute<gv::G<gv::Whole>>(r, gv::matrix(7, 5));
    log.throws([&] { (void)(w - x); }, "spmd: sub: operand 0 is whole along dim 0 (global extent 7)", "w - x");
    // A sharded operand whose extent differs from the other's.
    auto const y = distribute<X>(r, gv::matrix(8, 5));
    log.throws([&] { (void)(x * y); }, "spmd: mul: operand 1 has global extent 8 along dim 0", "x * y");
  });
  log.report();
}

TEST_CASE("global: flatten_even and split_even reshape evenly sharded dims", "[global][threads]") {
  using X3 = global_tensor<local::dense<double, 3>, gv::Mesh, spec<on<"dp">, on<>, on<"tp">>>;
  rank_log log;
  threads::run({{"dp", 2}, {"tp", 2}}, [&](threads::rank& r) {
    local::dense<double, 3> whole({4, 3, 6});
    for (std::size_t i = 0; i < whole.size(); ++i) whole.data()[i] = static_cast<double>(i);
    auto const x = distribute<X3>(r, whole);
    auto const f = global::flatten_even<0>(r, x);
    auto const back = global::split_even<0>(r, f, 3);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(back)>, X3>);
    log.check(global::describe(f) == "f64[12@dp,6@tp]", "flattened: " + global::describe(f));
    log.check(global::describe(back) == "f64[4@dp,3,6@tp]", "split: " + global::describe(back));
    auto const ff = full_tensor(r, f);
    log.check(std::equal(ff.data(), ff.data() + ff.size(), whole.data()), "the flattened tensor's values");
    log.check(back.local().shape() == x.local().shape() &&
                  std::equal(back.local().data(), back.local().data() + back.local().size(), x.local().data()),
              "split_even undoes flatten_even");
    // 5 rows over dp = 2 are uneven: the local flatten would misplace rows.
    local::dense<double, 3> odd({5, 3, 6});
    auto const uneven = distribute<X3>(r, odd);
    log.throws([&] { (void)global::flatten_even<0>(r, uneven); },
               "spmd: global::flatten_even<0>: the global extent 5 does not divide evenly", "flatten_even, uneven");
    log.throws([&] { (void)global::split_even<0>(r, f, 4); }, "spmd: global::split_even<0>", "split_even by 4");
  });
  log.report();
}

TEST_CASE("global: local_map runs a function of the pieces and gives its result a spec", "[global][threads]") {
  using X = gv::G<gv::S0td>;
  using Y = gv::G<gv::Cols_dp_Rows_tp>;
  rank_log log;
  for (auto const& m : meshes) {
    threads::run(m, [&](threads::rank& r) {
      for (auto const& e : gv::extents) {
        auto const x = distribute<X>(r, gv::matrix(e[0], e[1]));
        // A function of the pieces (here an op the global view would also run): the extents
        // of the result are found by summing the pieces over the sharding axes.
        auto const y = global::local_map<X>(
            r, [](auto const& piece) { return piece * 2.0 + 1.0; }, x);
        log.check(y.global_shape() == x.global_shape(), "local_map's extents");
        log.check(gv::near(full_tensor(r, y), local::add(local::mul(gv::matrix(e[0], e[1]), 2.0), 1.0)),
                  "local_map's values");
        // A piece that is not this rank's block of the claimed spec is refused on every rank.
        auto const z = distribute<Y>(r, gv::matrix(e[0], e[1]));
        if (e[0] % r.axis_size("dp") != 0 || e[1] % r.axis_size("tp") != 0) continue;
        using T = typename Y::tensor_type;
        log.throws(
            [&] {
              (void)global::local_map<Y>(
                  r,
                  [&](auto const&) {
                    return T{gv::Mat({r.coord("dp") + 1, z.local().extent(1)})};
                  },
                  x);
            },
            "spmd: global::from_local: the piece has extent", "local_map with pieces of the wrong length");
      }
    });
  }
  log.report();
}
