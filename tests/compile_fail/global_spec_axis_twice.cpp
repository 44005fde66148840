// expect: spmd: a global tensor's spec names this mesh axis twice
// Mistake: One axis sharding two dims.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

using X = G2<spec<on<"dp">, on<"dp">, at<"tp", R>>>;
X x;
