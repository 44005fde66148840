// expect: spmd: a matmul/einsum contracts a dim that is sharded on this mesh axis in both operands.*out_partial<axis>.*on_axis<'t', 'p'>
// Mistake: the row-parallel matmul without out_partial: h is column-sharded, w row-sharded, so
// each rank's product is a partial sum. Fix: matmul(h, w, out_partial<"tp">).
#include <spmd/nn.hpp>

using namespace spmd;
using T = float;

auto row_parallel(nn::column_out<T> const& h, nn::row_weight<T> const& w) {
  return matmul(h, w);
}

int main() {}
