// expect: spmd: a tensor is used as P \(pending sum\) but is not one on this mesh axis
// Mistake: a row-parallel matmul without out_partial gives V on tp, returned as P.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;
using Ht = tensor<F2, Mesh, layout<R, S<1>>>;  // hidden activations, sharded on tp
using W2 = tensor<F2, Mesh, layout<R, S<0>>>;  // row-parallel weight
using Pt = tensor<F2, Mesh, layout<R, P>>;  // a pending sum on tp

Pt g(Ht const& h, W2 const& w) { return matmul(h, w); }
