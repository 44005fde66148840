// expect: spmd: out_partial names a mesh axis on which the contraction did not run over the sharded dim
// Mistake: declares the column-parallel matmul's output a pending sum; it is a shard S(1).
#include <spmd/nn.hpp>

using namespace spmd;
using T = float;

auto column_parallel(nn::gathered<T> const& x, nn::column_weight<T> const& w) {
  return matmul(x, w, out_partial<"tp">);
}

int main() {}
