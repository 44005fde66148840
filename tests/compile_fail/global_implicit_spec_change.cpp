// expect: spmd: global: a global tensor never changes its spec or placements implicitly
// Mistake: Returns the pending row-parallel output where the reduced one is declared: the all-reduce is missing.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

using Y = G2<spec<on<"dp">, on<>, at<"tp", P>>>;
using Out = G2<spec<on<"dp">, on<>, at<"tp", I>>>;
Out f(Y const& y) {
  return y;
}
