// expect: spmd: global: the contracted dim is sharded on the same mesh axes in different orders
// Mistake: A row-parallel matmul whose contracted dim is sharded on (dp, tp) in one operand and (tp, dp) in the other.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<>, on<"dp", "tp">>> const& a, G2<spec<on<"tp", "dp">, on<>>> const& b) {
  auto c = matmul(a, b, out_partial<"dp", "tp">);
  (void)c;
}
