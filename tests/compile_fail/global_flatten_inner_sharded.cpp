// expect: spmd: global::flatten_even<Dim>: dim Dim \+ 1 is sharded
// Mistake: flattens [batch, hidden@tp] into one dim: the inner dim's shards would interleave.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(threads::rank& r, G2<spec<on<"dp">, on<"tp">>> const& x) {
  auto y = global::flatten_even<0>(r, x);
  (void)y;
}
