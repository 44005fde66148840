// expect: spmd: global: two operands shard this dim on the same mesh axes in different orders
// Mistake: Adds a batch sharded on (dp, tp) to one sharded on (tp, dp): locally both are S<0> on both axes, globally the blocks hold different rows.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<"dp", "tp">, on<>>> const& a, G2<spec<on<"tp", "dp">, on<>>> const& b) {
  auto c = a + b;
  (void)c;
}
