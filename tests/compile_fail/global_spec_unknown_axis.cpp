// expect: spmd: a global tensor's spec names an axis that is not in the mesh
// Mistake: A typo in an axis name.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

using X = G2<spec<on<"db">, on<>, at<"tp", R>>>;
X x;
