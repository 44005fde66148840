// expect: spmd: a non-linear op works along a dim that is sharded on this mesh axis
// Mistake, on tensors: the attention core applied to qkv with tokens sharded over tp.
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto f(ActSp const& qkv, std::size_t head_dim, std::size_t seq) {
  return spmd::apply<nn::fused::op::causal_attention>(qkv, head_dim, seq);
}
