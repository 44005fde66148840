// expect: spmd: a tensor is used with another layout than its own on this mesh axis
// Mistake: vocab-sharded logits (S(1)@tp, from the column-parallel LM head) are fed to a loss
// written for whole logits (I@tp). Fix: nn::vocab_parallel_cross_entropy, or gather the logits
// first with all_gather<"tp", I>.
#include <spmd/nn.hpp>

using namespace spmd;
using T = float;

// A serial loss: it needs every vocab column of every token.
T serial_loss(nn::tensor2<T, V, I> const& logits) {
  return logits.local().data()[0];
}

T loss_of(nn::column_out<T> const& logits) {
  return serial_loss(logits);
}

int main() {}
