// local_map: the stated layouts of the arguments and the result, values on a dp x tp mesh, and
// the gradient through a user kernel with a hand-written local backward (finite differences).
#include "test_autograd_grad_check.hpp"

using namespace autograd_ops_test;

namespace {

/// A user kernel the rules cannot see: x^3, elementwise, on local::dense.
D<2> cube(D<2> x) {
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = x.data()[i] * x.data()[i] * x.data()[i];
  return x;
}
/// Its backward: g * 3 x^2.
D<2> cube_backward(D<2> g, D<2> const& /*y*/, D<2> const& x) {
  for (std::size_t i = 0; i < g.size(); ++i) g.data()[i] *= 3.0 * x.data()[i] * x.data()[i];
  return g;
}
/// Rows of x scaled by the row vector b: x * b with b [1, n]; backward g * b and sum over rows of g * x.
D<2> scale_rows(D<2> x, D<2> const& b) {
  for (std::size_t i = 0; i < x.extent(0); ++i)
    for (std::size_t j = 0; j < x.extent(1); ++j) x(i, j) *= b(0, j);
  return x;
}
std::tuple<D<2>, D<2>> scale_rows_backward(D<2> const& g, D<2> const& /*y*/, D<2> const& x, D<2> const& b) {
  D<2> gx = scale_rows(g, b), gb({1, b.extent(1)}, 0.0);
  for (std::size_t i = 0; i < x.extent(0); ++i)
    for (std::size_t j = 0; j < x.extent(1); ++j) gb(0, j) += g(i, j) * x(i, j);
  return {gx, gb};
}

}  // namespace

TEST_CASE("local_map: results have the stated layout and the kernel's values", "[ops][local_map]") {
  using X = T2<2, V, S<1>>;
  using Bias = T2<2, R, S<1>>;
  threads::run(dp2tp2, [](threads::rank& r) {
    double const shift = static_cast<double>(2 * r.coord("dp") + r.coord("tp"));
    X const x{filled<2>({3, 4}, 1.0, shift)};
    Bias const b{filled<2>({1, 4}, 0.5, 0.2, 1.0)};
    auto const y = local_map<layouts<layout<V, S<1>>, layout<R, S<1>>>, layout<V, S<1>>>(
        [](D<2> const& l, D<2> const& m) { return scale_rows(l, m); }, x, b);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(y)>, X>);
    auto const expected = x * b;  // the same computation through the typed ops
    for (std::size_t i = 0; i < y.local().size(); ++i) CHECK(y.local().data()[i] == expected.local().data()[i]);
    // Named and positional spellings of a stated layout are the same layout.
    auto const z = local_map<layouts<layout<at<"tp", S<1>>, at<"dp", V>>>, layout<V, S<1>>>(cube, x);
    for (std::size_t i = 0; i < z.local().size(); ++i)
      CHECK(z.local().data()[i] == Approx(std::pow(x.local().data()[i], 3)).epsilon(1e-15));
  });
}

TEST_CASE("local_map: gradients through a user kernel with a hand-written backward", "[ops][local_map][autograd]") {
  auto const x = filled<2>({3, 4}, 1.0, 0.3), b = filled<2>({1, 4}, 0.5, 0.2, 1.0);
  auto cubed = [](auto v) {
    using L = typename decltype(v)::tensor_type::layout_type;
    return local_map<layouts<L>, L>(local_fn{cube, cube_backward}, v);
  };
  CHECK((grad_check<in<T1<2, R>>, grads<T1<2, P>>>::check(tp2, cubed, x)) == 4);
  CHECK((grad_check<in<T1<2, S<0>>>, grads<T1<2, S<0>>>>::check(tp2, cubed, x)) == 4);
  // Two arguments: a varying activation and an R row; the row's gradient is P.
  auto scaled = [](auto v, auto w) {
    return local_map<layouts<layout<V>, layout<R>>, layout<V>>(local_fn{scale_rows, scale_rows_backward}, v, w);
  };
  CHECK((grad_check<in<T1<2, V>, T1<2, R>>, grads<T1<2, V>, T1<2, P>>>::check(tp2, scaled, x, b)) == 8);
}
