// redistribute<Layout>: the plan (which steps, in which order) and the values: on 2x2, 2x3 and
// 3x2 (dp, tp) meshes, from every layout made of R, P, S<0>, S<1> to every layout made of R,
// S<0>, S<1>, the result means the same global matrix as the input (the bodies are in
// tests/common/redistribute_values.hpp; the MPI tests run them too). Also autograd.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <spmd/autograd.hpp>
#include <spmd/comm/redistribute.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>
#include <spmd/testing/global.hpp>

#include "../common/collectives_adjoint.hpp"
#include "../common/redistribute_values.hpp"

using namespace spmd;
using namespace spmd_tests::redistribution;

namespace {

using comm::step_kind;

int wrong_pairs_on(std::size_t dp, std::size_t tp) {
  std::atomic<int> bad{0};
  threads::run({{"dp", dp}, {"tp", tp}}, [&](threads::rank& r) { bad += wrong_pairs(r); });
  return bad.load();
}

template <class From, class To>
constexpr auto plan = redistribute_plan<Mesh, From, To>;

template <class From, class To>
constexpr bool plan_is(std::initializer_list<comm::plan::step> expect) {
  auto const& p = plan<From, To>;
  if (p.count != expect.size()) return false;
  std::size_t i = 0;
  for (auto const& s : expect) {
    auto const& got = p.list[i++];
    if (got.kind != s.kind || got.axes != s.axes || got.src != s.src || got.dst != s.dst) return false;
  }
  return true;
}

constexpr placement_value Rc = placement_value_of<R>, Ic = placement_value_of<I>, Pc = placement_value_of<P>,
                          S0 = placement_value_of<S<0>>, S1 = placement_value_of<S<1>>;

}  // namespace

TEST_CASE("redistribute plans one step per changed axis, ordered for dims several axes shard", "[comm][redistribute]") {
  constexpr std::uint64_t dp = 1, tp = 2, both = 3;  // the axes of a step, a bit per mesh axis
  // Nothing to do.
  STATIC_REQUIRE(plan<layout<R, S<0>>, layout<R, S<0>>>.count == 0);
  // Independent axes: one step each; gathers the innermost axis first, splits the outermost first.
  STATIC_REQUIRE(plan_is<layout<P, S<1>>, layout<S<0>, I>>(
      {{step_kind::all_gather, tp, S1, Ic}, {step_kind::reduce_scatter, dp, Pc, S0}}));
  STATIC_REQUIRE(plan_is<layout<S<0>, R>, layout<S<1>, R>>({{step_kind::all_to_all, dp, S0, S1}}));
  STATIC_REQUIRE(
      plan_is<layout<R, R>, layout<S<0>, S<0>>>({{step_kind::convert, dp, Rc, S0}, {step_kind::convert, tp, Rc, S0}}));
  // The same collective on several axes: one call over them, flattened ("dp,tp").
  STATIC_REQUIRE(plan_is<layout<P, P>, layout<R, R>>({{step_kind::all_reduce, both, Pc, Rc}}));
  STATIC_REQUIRE(plan_is<layout<S<0>, S<0>>, layout<R, R>>({{step_kind::all_gather, both, S0, Rc}}));
  STATIC_REQUIRE(plan_is<layout<P, P>, layout<S<0>, S<0>>>({{step_kind::reduce_scatter, both, Pc, S0}}));
  STATIC_REQUIRE(plan_is<layout<S<0>, S<1>>, layout<R, R>>(
      {{step_kind::all_gather, tp, S1, Rc}, {step_kind::all_gather, dp, S0, Rc}}));
  // dp cannot move dim 0 while tp shards it inside dp's chunks: tp is gathered first and split
  // again afterwards.
  STATIC_REQUIRE(plan_is<layout<S<0>, S<0>>, layout<R, S<0>>>(
      {{step_kind::all_gather, both, S0, Rc}, {step_kind::convert, tp, Rc, S0}}));
  STATIC_REQUIRE(plan_is<layout<S<0>, S<0>>, layout<S<1>, S<0>>>(
      {{step_kind::all_gather, tp, S0, Rc}, {step_kind::all_to_all, dp, S0, S1}, {step_kind::convert, tp, Rc, S0}}));
  // S<d> -> P and I -> P go through R.
  STATIC_REQUIRE(
      plan_is<layout<R, S<1>>, layout<R, P>>({{step_kind::all_gather, tp, S1, Rc}, {step_kind::convert, tp, Rc, Pc}}));
  // The axes of a step as the collective's first template argument.
  STATIC_REQUIRE(comm::plan::axes_name<Mesh, both>.view() == "dp,tp");
  STATIC_REQUIRE(comm::plan::axes_name<Mesh, tp>.view() == "tp");
  // A named destination layout is resolved first.
  STATIC_REQUIRE(plan<layout<S<0>, R>, layout<at<"tp", S<0>>, at<"dp", R>>>.count == 2);
  STATIC_REQUIRE(
      std::is_same_v<decltype(redistribute<layout<at<"tp", S<1>>, at<"dp", R>>>(std::declval<threads::rank&>(),
                                                                                std::declval<T<P, R>>())),
                     T<R, S<1>>>);
}

TEST_CASE("redistribute keeps the global value: every layout of R, P, S<0>, S<1> to every one of R, S<0>, S<1>",
          "[comm][redistribute]") {
  CHECK(wrong_pairs_on(2, 2) == 0);
  CHECK(wrong_pairs_on(2, 3) == 0);
  CHECK(wrong_pairs_on(3, 2) == 0);
}

TEST_CASE("redistribute to I, to P and in expert mode", "[comm][redistribute]") {
  std::atomic<int> bad{0};
  threads::run({{"dp", 2}, {"tp", 2}}, [&](threads::rank& r) {
    Mat const g = global_matrix();
    auto whole = redistribute<layout<I, I>>(r, make<S<0>, P>(r));  // all_reduce<I> + all_gather<I>
    auto sum = redistribute<layout<R, P>>(r, make<R, S<1>>(r));    // all_gather + convert(R, P)
    auto back = redistribute<layout<R, R>>(r, redistribute<layout<I, R>>(r, make<R, R>(r), expert));
    static_assert(std::is_same_v<decltype(whole), T<I, I>> && std::is_same_v<decltype(sum), T<R, P>>);
    if (!near(whole.local(), g) || !near(testing::global_value(r, sum), g) || !near(back.local(), g)) ++bad;
  });
  CHECK(bad.load() == 0);
}

TEST_CASE("autograd::redistribute records the same steps as the explicit collectives", "[autograd][redistribute]") {
  std::atomic<int> bad{0};
  threads::run({{"dp", 2}, {"tp", 2}}, [&](threads::rank& r) {
    autograd::tape t;
    autograd::parameter<T<S<0>, P>> px{make<S<0>, P>(r)}, py{make<S<0>, P>(r)};
    // (S<0>, P) -> (S<1>, S<0>): all_to_all on dp, then reduce_scatter on tp.
    auto a = autograd::redistribute<layout<S<1>, S<0>>>(r, px.on(t));
    auto b = autograd::reduce_scatter<"tp", 0>(r, autograd::all_to_all<"dp", S<1>>(r, py.on(t)));
    static_assert(std::is_same_v<decltype(a), decltype(b)>);
    autograd::var<T<S<1>, S<0>>> const w{testing::random_tensor<T<S<1>, S<0>>>(r, a.value().local().shape(), 7)};
    auto loss = [&](auto const& v) { return autograd::sum_all(v * w); };  // sharded on both axes: (P, P)
    autograd::backward(loss(a) + loss(b));  // one tape, one backward: both paths get their gradient
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(px.grad())>, T<S<0>, R>>);
    if (!(px.grad().local() == py.grad().local()) || !(a.value().local() == b.value().local())) ++bad;
    // The gradient is not zero: w reaches x.
    double norm = 0;
    for (std::size_t i = 0; i < px.grad().local().size(); ++i) norm += std::abs(px.grad().local().data()[i]);
    if (!(norm > 0)) ++bad;
  });
  CHECK(bad.load() == 0);
}

TEST_CASE("redistribute keeps the gathers and splits of axes with split sizes one axis per step",
          "[comm][redistribute][uneven]") {
  constexpr std::uint64_t dp = 1, tp = 2, both = 3;
  using From = layout<S<0>, S<0>>;
  using To = layout<R, R>;
  // Even: one all_gather over the flattened (dp, tp) group; with sizes on tp (or dp): one per axis.
  STATIC_REQUIRE(plan_is<From, To>({{step_kind::all_gather, both, S0, Rc}}));
  constexpr auto const& apart = comm::plan::steps_between<From, To, tp>;
  STATIC_REQUIRE(apart.count == 2);
  STATIC_REQUIRE(apart.list[0].axes == tp);
  STATIC_REQUIRE(apart.list[1].axes == dp);
  STATIC_REQUIRE(comm::plan::steps_between<From, To, dp>.count == 2);
  // The sizes each step uses: the gather of tp consumes the source's, its split again creates the
  // destination's (S<0>, S<0> -> R, S<0> gathers tp, then dp, then splits tp over the whole dim).
  constexpr auto const& blocked = comm::plan::steps_between<From, layout<R, S<0>>, both>;
  STATIC_REQUIRE(comm::plan::uses(blocked, 1, comm::plan::sizes_role::from));
  STATIC_REQUIRE(comm::plan::uses(blocked, 1, comm::plan::sizes_role::to));
  STATIC_REQUIRE(comm::plan::uses(blocked, 0, comm::plan::sizes_role::from));
  STATIC_REQUIRE(!comm::plan::uses(blocked, 0, comm::plan::sizes_role::to));
}

TEST_CASE("redistribute with uneven split sizes keeps the values, there and back", "[comm][redistribute][uneven]") {
  using sizes = std::pair<std::size_t, std::size_t>;
  for (auto [dp, tp] : std::vector<sizes>{{2, 2}, {2, 3}, {3, 2}, {1, 4}}) {
    std::atomic<int> bad{0};
    threads::run({{"dp", dp}, {"tp", tp}}, [&](threads::rank& r) { bad += wrong_uneven_round_trips(r); });
    CHECK(bad.load() == 0);
  }
}

TEST_CASE("autograd::redistribute with uneven split sizes: values and adjoint backward",
          "[autograd][redistribute][uneven]") {
  std::atomic<int> bad{0};
  threads::run({{"dp", 2}, {"tp", 3}}, [&](threads::rank& r) {
    auto const u = uneven_split_of(r);
    std::size_t const tj = r.coord("tp");
    auto const sizes = [](std::vector<std::size_t> const& v) { return std::make_shared<std::vector<std::size_t>>(v); };
    // (S<0>, S<0>) -> (R, S<1>): gathers tp, then dp (the sources' sizes), then splits tp along dim 1.
    bool const ok1 = spmd_tests::autograd_adjoint_ok<T<S<0>, S<0>>>(
        r, {u.tp_in_dp[tj], u.cols}, 301,
        [&](auto const& v) {
          return autograd::redistribute<layout<R, S<1>>>(r, v, split_on<"dp">(*sizes(u.dp)),
                                                         split_on<"tp">(*sizes(u.tp_in_dp), *sizes(u.tp_cols)));
        },
        [&](auto const& x) {
          return redistribute<layout<R, S<1>>>(r, x, split_on<"dp">(u.dp), split_on<"tp">(u.tp_in_dp, u.tp_cols));
        });
    // (R, P) -> (S<0>, S<0>) nested: reduce_scatter on dp, then on tp within the dp chunk.
    bool const ok2 = spmd_tests::autograd_adjoint_ok<T<R, P>>(
        r, {u.rows, u.cols}, 302,
        [&](auto const& v) {
          return autograd::redistribute<layout<S<0>, S<0>>>(r, v, split_on<"dp">(*sizes(u.dp)),
                                                            split_on<"tp">(*sizes(u.tp_in_dp)));
        },
        [&](auto const& x) {
          return redistribute<layout<S<0>, S<0>>>(r, x, split_on<"dp">(u.dp), split_on<"tp">(u.tp_in_dp));
        });
    if (!ok1 || !ok2) ++bad;
  });
  CHECK(bad.load() == 0);
}
