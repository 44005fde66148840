// expect: spmd: a spec needs exactly one on<...> per tensor dim
// Mistake: A 2-dim tensor with a spec of one dim.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

using X = G2<spec<on<"dp">, at<"tp", R>>>;
X x;
