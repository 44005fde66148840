// expect: spmd: at<axis, X> beside a partition spec takes X = R, I or P
// Mistake: A plain V beside a spec: the global view has no per-rank values without a global meaning.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

using X = G2<spec<on<"dp">, on<>, at<"tp", V>>>;
X x;
