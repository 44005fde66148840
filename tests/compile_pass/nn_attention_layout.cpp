// The layout rule of the fused attention core: it works along the tokens (dim 0) and keeps the
// columns, so heads sharded over tp (S<1>) and a per-rank batch over dp (V) pass through. The
// refused side (tokens sharded, S<0>) is tests/compile_fail/attention_tokens_sharded.cpp and the
// catalogue cases mistake_attention_on_sharded_tokens_*.cpp.
#include <spmd/nn.hpp>

#include <type_traits>

namespace {
using namespace spmd;
using D2 = local::dense<double, 2>;

// (V, S<1>): the column-parallel QKV projection's output, whole heads on each tp rank.
static_assert(std::is_same_v<nn::fused::causal_attention_t<nn::column_out<double>>, nn::column_out<double>>);
// Whole on tp (R or I): kept.
static_assert(std::is_same_v<nn::fused::causal_attention_t<nn::dp_tp_tensor<D2, V, I>>, nn::dp_tp_tensor<D2, V, I>>);
static_assert(std::is_same_v<nn::fused::causal_attention_t<nn::dp_tp_tensor<D2, V, R>>, nn::dp_tp_tensor<D2, V, R>>);
}  // namespace
