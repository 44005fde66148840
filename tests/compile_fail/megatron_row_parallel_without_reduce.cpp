// expect: spmd: a P \(pending sum\) tensor is used where another layout is expected
// Mistake: the row-parallel output (P@tp) is returned as the block activation (I@tp) without its
// all-reduce. Fix: return all_reduce<"tp", I>(r, y) (or nn::row_parallel<false>(r, h, w)).
#include <spmd/nn.hpp>

using namespace spmd;
using T = float;

nn::activation<T, false> mlp_out(nn::column_out<T> const& h, nn::row_weight<T> const& w) {
  auto y = matmul(h, w, out_partial<"tp">);
  return y;
}

int main() {}
