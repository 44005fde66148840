// Gradient checks of differentiable typed ops against central finite differences, shared by
// test_autograd_ops.cpp and test_autograd_ops_shape.cpp: run an op on a mesh of threads, sum each
// input's gradient over ranks and compare it with the derivative of the total loss.
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <mutex>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <spmd/autograd.hpp>
#include <spmd/runtime/threads.hpp>
#include <spmd/spmd.hpp>

namespace autograd_ops_test {

using namespace spmd;
using namespace spmd::autograd;

template <std::size_t N>
using D = local::dense<double, N>;
using M1 = mesh<"tp">;
using M2 = mesh<"dp", "tp">;
template <std::size_t N, class... Ps>
using T1 = tensor<D<N>, M1, layout<Ps...>>;
template <std::size_t N, class... Ps>
using T2 = tensor<D<N>, M2, layout<Ps...>>;

using sizes_t = std::vector<std::pair<std::string, std::size_t>>;
sizes_t const tp2{{"tp", 2}};
sizes_t const dp2tp2{{"dp", 2}, {"tp", 2}};

/// A tensor of extents `shape` with smooth, distinct values: offset + scale * sin(0.7 i + shift).
template <std::size_t N>
D<N> filled(std::array<std::size_t, N> shape, double scale = 1.0, double shift = 0.0, double offset = 0.0) {
  D<N> m(shape);
  for (std::size_t i = 0; i < m.size(); ++i)
    m.data()[i] = offset + scale * std::sin(0.7 * static_cast<double>(i) + shift);
  return m;
}

/// This rank's index among the ranks over which a tensor of type T varies (V, S or P axes).
template <class T, std::size_t Axis = 0>
std::size_t varying_index(threads::rank& r, std::size_t acc = 0) {
  using Mesh = typename T::mesh_type;
  if constexpr (Axis == Mesh::axis_count) {
    return acc;
  } else {
    constexpr auto name = Mesh::template name<Axis>;
    constexpr auto kind = kind_of<placement_at_t<typename T::layout_type, Axis>>;
    bool const varies = kind == placement_kind::varying || kind == placement_kind::partial;
    return varying_index<T, Axis + 1>(r, varies ? acc * 2 + r.coord(name.view()) : acc);
  }
}

/// The weight a result of type T is multiplied by in the loss: R where T is P, I where T is I,
/// V (a different weight per rank) elsewhere, so the product is never P * P.
template <class Pl>
using weight_placement = std::conditional_t<kind_of<Pl> == placement_kind::partial, R,
                                            std::conditional_t<kind_of<Pl> == placement_kind::invariant, I, V>>;
template <class T, class Layout = typename T::layout_type>
struct weight_of;
template <class T, class... Ps>
struct weight_of<T, layout<Ps...>> {
  using type = basic_tensor<typename T::local_type, typename T::mesh_type, layout<weight_placement<Ps>...>>;
};

/// x with its V axes reinterpreted as P: a valid loss.
template <std::size_t Axis = 0, class T>
auto as_loss(threads::rank& r, var<T> const& x) {
  using Mesh = typename T::mesh_type;
  if constexpr (Axis == Mesh::axis_count) {
    return x;
  } else if constexpr (kind_of<placement_at_t<typename T::layout_type, Axis>> == placement_kind::varying) {
    return as_loss<Axis + 1>(r, reinterpret<Mesh::template name<Axis>, V, P>(r, x));
  } else {
    return as_loss<Axis + 1>(r, x);
  }
}

/// The loss sum(out * w) with a fixed weight w per rank, on this rank.
template <class Out>
auto weighted_loss(threads::rank& r, var<Out> const& out) {
  using W = typename weight_of<Out>::type;
  auto const& shape = out.value().local().shape();
  double const shift = 0.3 + 0.4 * static_cast<double>(varying_index<W>(r));
  var<W> w{W{filled(shape, 1.0, shift, 0.5)}};
  auto prod = out * w;
  std::size_t n = 1;
  for (auto e : shape) n *= e;
  return as_loss(r, sum_all(reshape(prod, std::array<std::size_t, 2>{1, n})));
}

/// Gradient check of `f(inputs...)` for inputs of types Ts whose gradients must have types Gs.
/// Each input is built from a base tensor (varying inputs: plus a per-rank shift), so the
/// derivative of the total loss (summed over ranks) with respect to a base element is the sum
/// over ranks of that element's local gradient: an R input's P pieces, every rank's V piece.
template <class Inputs, class Grads>
struct grad_check;
template <class... Ts, class... Gs>
struct grad_check<std::tuple<Ts...>, std::tuple<Gs...>> {
  static_assert((std::is_same_v<grad_t<Ts>, Gs> && ...), "the gradient types are not the expected ones");
  using locals = std::tuple<typename Ts::local_type...>;

  struct result {
    double loss = 0;
    locals grads;
  };

  template <class F>
  static result run(sizes_t const& sizes, F const& f, locals const& base) {
    result total;
    std::vector<bool> first(sizeof...(Ts), true);
    std::mutex mu;
    threads::run(sizes, [&](threads::rank& r) {
      [&]<std::size_t... Is>(std::index_sequence<Is...>) {
        tape t;
        std::tuple<parameter<Ts>...> params{
            parameter<Ts>{Ts{local::add(std::get<Is>(base), 0.05 * static_cast<double>(varying_index<Ts>(r)))}}...};
        auto loss = weighted_loss(r, f(std::get<Is>(params).on(t)...));
        backward(loss);
        static_assert((std::is_same_v<std::remove_cvref_t<decltype(std::get<Is>(params).grad())>, Gs> && ...));
        std::lock_guard lock(mu);
        total.loss += loss.value().local()(0, 0);
        auto add = [&](auto& sum, auto const& g, std::size_t i) {
          sum = first[i] ? g.local() : local::add(sum, g.local());
          first[i] = false;
        };
        (add(std::get<Is>(total.grads), std::get<Is>(params).grad(), Is), ...);
      }
      (std::index_sequence_for<Ts...>{});
    });
    return total;
  }

  /// Compares every input's gradient, summed over ranks, with central differences at a few
  /// elements; returns the number of elements checked.
  template <class F>
  static std::size_t check(sizes_t const& sizes, F f, typename Ts::local_type... inputs) {
    locals const base{inputs...};
    result const got = run(sizes, f, base);
    std::size_t checked = 0;
    auto one = [&]<std::size_t I>(std::integral_constant<std::size_t, I>) {
      auto const& grad = std::get<I>(got.grads);
      REQUIRE(grad.shape() == std::get<I>(base).shape());
      std::size_t const n = grad.size();
      for (std::size_t k : {std::size_t{0}, n / 3, n / 2, n - 1}) {
        double const eps = 1e-5;
        locals plus = base, minus = base;
        std::get<I>(plus).data()[k] += eps;
        std::get<I>(minus).data()[k] -= eps;
        double const fd = (run(sizes, f, plus).loss - run(sizes, f, minus).loss) / (2 * eps);
        INFO("input " << I << ", element " << k);
        CHECK(grad.data()[k] == Approx(fd).epsilon(1e-6).margin(1e-8));
        ++checked;
      }
    };
    [&]<std::size_t... Is>(std::index_sequence<Is...>) {
      (one(std::integral_constant<std::size_t, Is>{}), ...);
    }
    (std::index_sequence_for<Ts...>{});
    return checked;
  }
};

template <class... Ts>
using in = std::tuple<Ts...>;
template <class... Gs>
using grads = std::tuple<Gs...>;

}  // namespace autograd_ops_test
