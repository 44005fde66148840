// dropout: the mask follows the placements (the same on the ranks of an axis where the tensor is
// R, I or P, independent where it is V or S<d>), the kept fraction and the scale, successive
// calls, and the gradient against central finite differences.
#include "test_autograd_grad_check.hpp"

#include <map>

using namespace autograd_ops_test;

namespace {

/// The masks (kept = 1) that dropout draws on each (dp, tp) rank for a tensor of type X.
template <class X>
std::map<std::pair<std::size_t, std::size_t>, std::vector<int>> masks_on_dp2_tp2(double p, int calls = 1) {
  std::map<std::pair<std::size_t, std::size_t>, std::vector<int>> out;
  std::mutex mu;
  threads::run(dp2tp2, [&](threads::rank& r) {
    dropout_generator gen(1234);
    X const ones{D<2>({16, 32}, 1.0)};
    X y = ones;
    for (int c = 0; c < calls; ++c) y = spmd::dropout(r, ones, p, gen);
    std::vector<int> mask(y.local().size());
    for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = y.local().data()[i] != 0.0;
    std::lock_guard lock(mu);
    out[{r.coord("dp"), r.coord("tp")}] = mask;
  });
  return out;
}

}  // namespace

TEST_CASE("dropout: masks equal where the data are the same, independent where they differ", "[ops][dropout]") {
  // V on dp, R on tp: the tp ranks of one dp rank hold the same activations: one mask.
  auto const vr = masks_on_dp2_tp2<T2<2, V, R>>(0.5);
  CHECK(vr.at({0, 0}) == vr.at({0, 1}));
  CHECK(vr.at({1, 0}) == vr.at({1, 1}));
  CHECK(vr.at({0, 0}) != vr.at({1, 0}));
  // S on tp (sequence or column shards): every rank draws its own.
  auto const vs = masks_on_dp2_tp2<T2<2, V, S<1>>>(0.5);
  CHECK(vs.at({0, 0}) != vs.at({0, 1}));
  CHECK(vs.at({0, 0}) != vs.at({1, 0}));
  CHECK(vs.at({1, 0}) != vs.at({1, 1}));
  // P on dp, I on tp: the pieces of one sum, everywhere the same mask.
  auto const pi = masks_on_dp2_tp2<T2<2, P, I>>(0.5);
  CHECK(pi.at({0, 0}) == pi.at({0, 1}));
  CHECK(pi.at({0, 0}) == pi.at({1, 0}));
  CHECK(pi.at({0, 0}) == pi.at({1, 1}));
  // A second call draws another mask.
  auto const second = masks_on_dp2_tp2<T2<2, V, R>>(0.5, 2);
  CHECK(second.at({0, 0}) == second.at({0, 1}));
  CHECK(second.at({0, 0}) != vr.at({0, 0}));
}

TEST_CASE("dropout: kept fraction, scale, p = 0, bad p", "[ops][dropout]") {
  using X = T1<2, R>;
  threads::run(tp2, [](threads::rank& r) {
    dropout_generator gen(7);
    X const ones{D<2>({100, 100}, 1.0)};
    auto const y = spmd::dropout(r, ones, 0.3, gen);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(y)>, X>);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < y.local().size(); ++i) {
      double const v = y.local().data()[i];
      CHECK((v == 0.0 || v == Approx(1.0 / 0.7).epsilon(1e-15)));
      kept += v != 0.0;
    }
    CHECK(static_cast<double>(kept) / 10000.0 == Approx(0.7).margin(0.02));
    auto const same = spmd::dropout(r, ones, 0.0, gen);
    CHECK(same.local() == ones.local());
    CHECK_THROWS_WITH(spmd::dropout(r, ones, 1.0, gen), "spmd: dropout: p must be in [0, 1)");
  });
}

TEST_CASE("dropout: the gradient uses the forward's mask", "[ops][dropout][autograd]") {
  auto const x = filled<2>({4, 6}, 1.0, 0.3);
  auto f = [](auto v) {
    // The rank is needed for the key; the check's lambda sees only the variable, so the mask
    // here depends on the placements alone: a fixed rank of the R type.
    struct any_rank {
      std::size_t coord(std::string_view) const { return 0; }
    };
    dropout_generator gen(99);
    return spmd::dropout(any_rank{}, v, 0.4, gen);
  };
  CHECK((grad_check<in<T1<2, R>>, grads<T1<2, P>>>::check(tp2, f, x)) == 4);
  CHECK((grad_check<in<T1<2, P>>, grads<T1<2, R>>>::check(tp2, f, x)) == 4);
}
