// expect: spmd: a non-linear op works along a dim that is sharded on this mesh axis
// Mistake: softmax over vocab-sharded logits: each rank would normalise its own columns only.
#include <spmd/nn.hpp>

using namespace spmd;
using T = float;

auto probs(nn::column_out<T> const& logits) {
  return softmax<1>(logits);
}

int main() {}
