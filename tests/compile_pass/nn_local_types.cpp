// The element parameter of the nn layers: an element type (local::dense underneath) or a 2-dim
// row-major local tensor type, used as it is; the two spellings name the same tensor types.
#include <spmd/nn.hpp>
#include <spmd/runtime/threads.hpp>

#include <type_traits>
#include <utility>

namespace {
using namespace spmd;
using D2 = local::dense<double, 2>;

static_assert(std::is_same_v<nn::local_of_t<double>, D2>);
static_assert(std::is_same_v<nn::local_of_t<D2>, D2>);
static_assert(std::is_same_v<nn::local_of_t<float>, local::dense<float, 2>>);
static_assert(std::is_same_v<nn::value_of_t<D2>, double>);
static_assert(std::is_same_v<nn::column_weight<double>, nn::column_weight<D2>>);
static_assert(std::is_same_v<nn::activation<double, true>, nn::dp_tp_tensor<D2, V, S<0>>>);
static_assert(std::is_same_v<nn::loss_tensor<float>, nn::dp_tp_tensor<local::dense<float, 2>, P, I>>);
static_assert(nn::block_activation<nn::activation<D2, false>>);
static_assert(!nn::block_activation<nn::column_out<double>>);

// The layer functions deduce the local type from either spelling.
using Col = decltype(nn::column_parallel(std::declval<threads::rank&>(),
                                         std::declval<autograd::var<nn::activation<double, true>> const&>(),
                                         std::declval<autograd::var<nn::column_weight<D2>> const&>()));
static_assert(std::is_same_v<Col, autograd::var<nn::column_out<double>>>);
}  // namespace
