// expect: spmd: dtensor_spec<...> gives one placement per mesh axis
// Mistake: DTensor placements for one axis of a two-axis mesh.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

using X = G2<dtensor_spec<Shard<0>>>;
X x;
