// expect: spmd: global::local_map<Out>\(r, fn, x...\): fn must return the typed tensor of Out.s erased layout
// Mistake: a function of the pieces returns the row-parallel partial product, declared as reduced.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;
using H = G2<spec<on<"dp">, on<"tp">>>;
using W2 = G2<spec<on<"tp">, on<>, at<"dp", R>>>;
using Out = G2<spec<on<"dp">, on<>, at<"tp", I>>>;

Out f(threads::rank& r, H const& h, W2 const& w) {
  return global::local_map<Out>(
      r, [](auto const& a, auto const& b) { return matmul(a, b, out_partial<"tp">); }, h, w);
}
