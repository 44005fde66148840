// expect: spmd: nn: the element parameter of a layer is float, double, or a 2-dim local tensor type with row-major data
// Mistake: the Megatron layers on a local tensor type whose data is column-major: their fused
// kernels (layer norm, attention, embedding, cross entropy) read data() in row-major order.
#include <spmd/nn.hpp>

#include "../common/colmajor.hpp"

using namespace spmd;

std::size_t const size = sizeof(nn::column_parallel_linear<user::colmajor<double>>);
