// expect: spmd: the result would be sharded along two dims on this mesh axis.*all_gather<axis, R>
// Mistake: sequence parallelism without the all-gather before the column-parallel matmul: the
// tokens are S(0) and the weight S(1) on tp. Fix: matmul(all_gather<"tp", R>(r, x), w).
#include <spmd/nn.hpp>

using namespace spmd;
using T = float;

auto column_parallel(nn::activation<T, true> const& x, nn::column_weight<T> const& w) {
  return matmul(x, w);
}

int main() {}
