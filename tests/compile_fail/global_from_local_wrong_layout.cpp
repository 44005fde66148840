// expect: spmd: global::from_local<X>\(r, piece, extents\): the piece is X.s local tensor type
// Mistake: Makes a global tensor from a typed tensor of another layout (R where the spec says S<0> on dp).
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

#include <spmd/runtime/threads.hpp>
using X = G2<spec<on<"dp">, on<>, at<"tp", R>>>;
void f(threads::rank& r, tensor<local::dense<float, 2>, M, layout<R, R>> const& t) {
  auto x = global::from_local<X>(r, t, {8, 16});
  (void)x;
}
