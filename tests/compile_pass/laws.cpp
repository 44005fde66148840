// Laws checked over every layout of a 3-axis mesh: building this file is passing.
#include <boost/hana/cartesian_product.hpp>
#include <boost/hana/equal.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>
#include <boost/hana/unpack.hpp>

#include <spmd/core/grad.hpp>
#include <spmd/core/layout.hpp>
#include <spmd/core/placement.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/tensor.hpp>

namespace hana = boost::hana;
using namespace spmd;

namespace {

constexpr auto placements = hana::tuple_t<R, I, V, P, S<0>, S<1>>;
// Every layout of a 3-axis mesh: 6^3 = 216 of them.
constexpr auto all_layouts =
    hana::transform(hana::cartesian_product(hana::make_tuple(placements, placements, placements)), [](auto ps) {
      return hana::unpack(ps, [](auto... p) { return hana::type_c<layout<typename decltype(p)::type...>>; });
    });
static_assert(hana::length(all_layouts) == hana::size_c<216>);

template <class T>
constexpr bool grad_is_involution = std::is_same_v<grad_t<grad_t<T>>, T>;

// Law: grad(grad(T)) == T for every layout, and for the tensor types built on it.
using M3 = mesh<"dp", "tp", "cp">;
constexpr bool grad_involution_holds = hana::unpack(all_layouts, [](auto... l) {
  return (grad_is_involution<typename decltype(l)::type> && ...) &&
         (grad_is_involution<basic_tensor<local::dense<float, 2>, M3, typename decltype(l)::type>> && ...);
});
static_assert(grad_involution_holds);

// Law: the gradient map is the table of docs/autograd.md, per axis.
static_assert(std::is_same_v<grad_t<R>, P>);
static_assert(std::is_same_v<grad_t<P>, R>);
static_assert(std::is_same_v<grad_t<I>, I>);
static_assert(std::is_same_v<grad_t<V>, V>);
static_assert(std::is_same_v<grad_t<S<3>>, S<3>>);
static_assert(std::is_same_v<grad_t<layout<R, I, S<1>>>, layout<P, I, S<1>>>);

// Law: the gradient keeps the local type and the mesh.
using W = tensor<local::dense<double, 2>, M3, layout<at<"cp", R>, at<"tp", S<1>>, at<"dp", R>>>;
static_assert(std::is_same_v<grad_t<W>, basic_tensor<local::dense<double, 2>, M3, layout<P, S<1>, P>>>);

}  // namespace
