// expect: spmd: P \(a pending sum\) meets V \(varying\) on this mesh axis
// Mistake: a sequence-parallel block adds its row-parallel output (P@tp) to the residual stream
// (S(0)@tp) without the reduce_scatter. Fix: x + reduce_scatter<"tp", 0>(r, y).
#include <spmd/nn.hpp>

using namespace spmd;
using T = float;

auto block_out(nn::activation<T, true> const& x, nn::column_out<T> const& h, nn::row_weight<T> const& w) {
  auto y = matmul(h, w, out_partial<"tp">);
  return x + y;
}

int main() {}
