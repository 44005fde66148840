// expect: spmd: a global tensor's spec does not name this mesh axis
// Mistake: A spec that says nothing of the tp axis: R or I? (jax::partition_spec would make it I.)
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

using X = G2<spec<on<"dp">, on<>>>;
X x;
