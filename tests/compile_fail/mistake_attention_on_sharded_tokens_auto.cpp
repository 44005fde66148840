// expect: spmd: a non-linear op works along a dim that is sharded on this mesh axis
// catalogue: one error, first; at most 25 lines of g++ output
// Mistake (written with auto): the attention core on tokens sharded over tp, with a replicated
// QKV weight (context parallelism without gathering keys and values): each rank would attend
// within its own chunk of every sequence only.
// Fix: autograd::all_gather<"tp", R>(r, x) before the QKV projection (nn::attention does).
#include <spmd/nn.hpp>
#include "catalogue.hpp"

auto block(var<ActSp> const& x, var<Bias> const& w_qkv, std::size_t head_dim, std::size_t seq) {
  auto qkv = autograd::matmul(x, w_qkv);
  return nn::fused::causal_attention(qkv, head_dim, seq);
}
