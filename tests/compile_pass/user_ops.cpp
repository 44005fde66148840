// User ops defined through op definitions (ops/define.hpp), one per linearity class, on typed
// tensors and on autograd variables: the result types follow the definition's rule. The
// rejected mixes are tests/compile_fail/user_op_*.cpp.
#include <type_traits>

#include "../common/user_ops.hpp"

using namespace spmd;

namespace {
using M = mesh<"dp", "tp">;
using L = local::dense<double, 2>;
template <class Dp, class Tp>
using T = tensor<L, M, layout<Dp, Tp>>;
template <class Dp, class Tp>
using Var = autograd::var<T<Dp, Tp>>;

template <class X>
X make();

template <class A, class B>
inline constexpr bool same = std::is_same_v<std::remove_cvref_t<A>, B>;

// Tensors.
static_assert(same<decltype(user::softsign_fn(make<T<V, S<1>>>())), T<V, S<1>>>);
static_assert(same<decltype(user::twice(make<T<P, S<0>>>())), T<P, S<0>>>);
static_assert(same<decltype(user::hadamard(make<T<P, R>>(), make<T<R, R>>())), T<P, R>>);
static_assert(same<decltype(user::hadamard(make<T<V, S<1>>>(), make<T<R, S<1>>>())), T<V, S<1>>>);
static_assert(same<decltype(user::ratio(make<T<P, I>>(), make<T<R, I>>())), T<P, I>>);
static_assert(same<decltype(user::gate(make<T<R, S<0>>>(), make<T<P, S<0>>>(), make<T<P, S<0>>>())), T<P, S<0>>>);
static_assert(same<decltype(spmd::apply<user::ratio_op>(make<T<V, R>>(), make<T<V, R>>())), T<V, R>>);

// Variables: the same rule, and the gradient types of the operands.
static_assert(same<decltype(user::softsign_fn(make<Var<V, S<1>>>())), Var<V, S<1>>>);
static_assert(same<decltype(user::twice(make<Var<P, S<0>>>())), Var<P, S<0>>>);
static_assert(same<decltype(user::hadamard(make<Var<P, R>>(), make<Var<R, R>>())), Var<P, R>>);
static_assert(same<decltype(autograd::apply<user::hadamard_op>(make<Var<V, I>>(), make<Var<R, I>>())), Var<V, I>>);
static_assert(same<decltype(user::ratio(make<Var<P, I>>(), make<Var<R, I>>())), Var<P, I>>);
static_assert(
    same<decltype(user::gate(make<Var<R, S<0>>>(), make<Var<P, S<0>>>(), make<Var<P, S<0>>>())), Var<P, S<0>>>);
static_assert(same<decltype(user::forward_only(make<T<V, S<1>>>())), T<V, S<1>>>);

// The definition's pieces, as the library reads them.
static_assert(op_arity<user::gate_op> == 3 && op_arity<user::softsign_op> == 1);
static_assert(linearity_of<user::softsign_op> == linearity::nonlinear);
static_assert(op_name<user::hadamard_op> == "hadamard");
static_assert(std::is_same_v<op_dims_t<user::twice_op, T<R, R>>, rules::same_dims>);
}  // namespace
